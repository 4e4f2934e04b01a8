"""What a GraphQL operation costs, weighed from the parsed document and its variables
before anything runs, and the limit per role that a request must stay within.

The model (docs/security.md, "Query cost"): a field costs its own weight times the
number of times it is resolved, the product of the sizes of the lists above it.

- A scalar or enum field weighs 0, an object 1, a list n objects. n is the page size
  (`first`, its default when absent, at most HUB_MAX_PAGE_SIZE) for a connection's
  edges; `top` + 1 for a breakdown, the periods for a trend, every score value for a
  score distribution, and DEFAULT_LIST_SIZE for other lists.
- An analytics field adds the rollup reads it makes: periods x grains
  (`hub.services.analytics.estimate`); a theme field reads the rollups and the theme
  rollups, twice that, and lists DEFAULT_LIST_SIZE themes.
- A mutation adds MUTATION_WEIGHT, and 1 for each item of its list arguments.
- Aliases count once each; fields merged under one response key count once, as they
  run once; fragments count where they apply (for a union or interface, the costliest
  member); @skip and @include are honoured.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLCompositeType,
    GraphQLError,
    GraphQLIncludeDirective,
    GraphQLList,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLSkipDirective,
    InlineFragmentNode,
    SelectionNode,
    SelectionSetNode,
    get_named_type,
    get_nullable_type,
    get_operation_ast,
    is_abstract_type,
    is_leaf_type,
    type_from_ast,
)
from graphql.execution.values import (
    VariableValues,
    get_argument_values,
    get_directive_values,
    get_variable_values,
)
from pymongo.errors import PyMongoError
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from graphql_schema.context import Context
from hub.models.common import Metric, Role
from hub.services.analytics import estimate
from hub.services.analytics.criteria import Interval
from hub.settings import Settings

log = logging.getLogger("hub.graphql")

DEFAULT_LIST_SIZE = 10
MUTATION_WEIGHT = 10
SCORE_VALUES = sum(high - low + 1 for low, high in (metric.scale for metric in Metric))


@dataclass(frozen=True)
class Weight:
    """A field's own weight, each time it is resolved, and how many items it yields
    (what its selections are multiplied by)."""

    own: int
    items: int = 1


def _bounds(args: Mapping[str, Any]) -> tuple[Any, Any]:
    criteria = args.get("filter") or {}
    return criteria.get("dateFrom"), criteria.get("dateTo")


def _summary(args: Mapping[str, Any]) -> Weight:
    return Weight(1 + estimate.range_grains(*_bounds(args)))


def _trend(args: Mapping[str, Any]) -> Weight:
    date_from, date_to = _bounds(args)
    timezone = args.get("timezone", "UTC")
    periods = estimate.trend_periods(date_from, date_to, Interval(args["interval"]), timezone)
    grains = estimate.trend_grains(date_from, date_to, timezone)
    return Weight(periods + periods * grains, periods)


def _breakdown(args: Mapping[str, Any]) -> Weight:
    groups = min(max(int(args.get("top", 10)), 1), 100) + 1  # beyond 100 it is refused
    return Weight(groups + estimate.range_grains(*_bounds(args)), groups)


def _distribution(args: Mapping[str, Any]) -> Weight:
    return Weight(SCORE_VALUES + estimate.range_grains(*_bounds(args)), SCORE_VALUES)


def _theme_summary(args: Mapping[str, Any]) -> Weight:
    reads = 2 * estimate.range_grains(*_bounds(args))
    return Weight(DEFAULT_LIST_SIZE + reads, DEFAULT_LIST_SIZE)


def _theme_trend(args: Mapping[str, Any]) -> Weight:
    metric = _trend(args)
    return Weight(2 * metric.own - metric.items, metric.items)


def _emerging_themes(args: Mapping[str, Any]) -> Weight:
    reads = 2 * 2 * estimate.comparison_grains(*_bounds(args))
    return Weight(DEFAULT_LIST_SIZE + reads, DEFAULT_LIST_SIZE)


# Fields whose weight depends on their arguments, by schema coordinate.
SIZED: dict[str, Callable[[Mapping[str, Any]], Weight]] = {
    "Query.metricSummary": _summary,
    "Query.metricTrend": _trend,
    "Query.metricBreakdown": _breakdown,
    "Query.scoreDistribution": _distribution,
    "Query.themeSummary": _theme_summary,
    "Query.themeTrend": _theme_trend,
    "Query.emergingThemes": _emerging_themes,
}


def _list_items(value: Any) -> int:
    """The items of every list in an argument value, at any depth."""
    if isinstance(value, list):
        return len(value) + sum(_list_items(item) for item in value)
    if isinstance(value, Mapping):
        return sum(_list_items(item) for item in value.values())
    return 0


class _Weigher:
    """Weighs one operation of a document with its coerced variables."""

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: dict[str, FragmentDefinitionNode],
        variables: VariableValues,
        max_page_size: int,
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.max_page_size = max_page_size

    def selections(
        self,
        parent: GraphQLCompositeType,
        selection_sets: list[SelectionSetNode],
        times: int,
        page: int | None = None,
    ) -> int:
        """The cost of the selections on `parent`, resolved `times` times; `page` is the
        size of its list fields when the field above was paged with `first`."""
        if is_abstract_type(parent):
            members = self.schema.get_possible_types(parent)
            return max((self._object(t, selection_sets, times, page) for t in members), default=0)
        assert isinstance(parent, GraphQLObjectType)
        return self._object(parent, selection_sets, times, page)

    def _object(
        self,
        parent: GraphQLObjectType,
        selection_sets: list[SelectionSetNode],
        times: int,
        page: int | None,
    ) -> int:
        fields: dict[str, list[FieldNode]] = {}
        for selection_set in selection_sets:
            self._collect(parent, selection_set, fields, set())
        return sum(self._field(parent, nodes, times, page) for nodes in fields.values())

    def _collect(
        self,
        parent: GraphQLObjectType,
        selection_set: SelectionSetNode,
        into: dict[str, list[FieldNode]],
        spread: set[str],
    ) -> None:
        """The fields that run on `parent`, by response key, as execution merges them."""
        for selection in selection_set.selections:
            if not self._included(selection):
                continue
            if isinstance(selection, FieldNode):
                key = selection.alias.value if selection.alias else selection.name.value
                into.setdefault(key, []).append(selection)
            elif isinstance(selection, InlineFragmentNode):
                if self._applies(selection.type_condition, parent):
                    self._collect(parent, selection.selection_set, into, spread)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if name in spread or fragment is None:
                    continue
                spread.add(name)
                if self._applies(fragment.type_condition, parent):
                    self._collect(parent, fragment.selection_set, into, spread)

    def _included(self, node: SelectionNode) -> bool:
        skip = get_directive_values(GraphQLSkipDirective, node, self.variables)
        include = get_directive_values(GraphQLIncludeDirective, node, self.variables)
        return not (skip and skip["if"]) and not (include and not include["if"])

    def _applies(self, condition: Any, parent: GraphQLObjectType) -> bool:
        if condition is None:
            return True
        conditional = type_from_ast(self.schema, condition)
        if conditional is parent:
            return True
        return is_abstract_type(conditional) and self.schema.is_sub_type(conditional, parent)

    def _field(
        self, parent: GraphQLObjectType, nodes: list[FieldNode], times: int, page: int | None
    ) -> int:
        node = nodes[0]
        name = node.name.value
        if name == "__typename":
            return 0
        if name.startswith("__"):
            return times  # introspection reads the schema in memory, however deep
        definition = parent.fields[name]
        args = get_argument_values(definition, node, self.variables)
        named = get_named_type(definition.type)
        sized = SIZED.get(f"{parent.name}.{name}")
        if sized is not None:
            weight = sized(args)
        elif parent is self.schema.mutation_type:
            weight = Weight(MUTATION_WEIGHT + _list_items(args))
        elif is_leaf_type(named):
            return 0
        elif isinstance(get_nullable_type(definition.type), GraphQLList):
            size = DEFAULT_LIST_SIZE if page is None else page
            weight = Weight(size, size)
        else:
            weight = Weight(1)
        if is_leaf_type(named):
            return times * weight.own
        child_page = None
        if "first" in args:
            child_page = min(max(int(args["first"]), 0), self.max_page_size)
        children = [n.selection_set for n in nodes if n.selection_set is not None]
        inner = self.selections(named, children, times * weight.items, child_page)
        return times * weight.own + inner


def operation_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: dict[str, Any] | None,
    max_page_size: int,
) -> int | None:
    """The cost of the operation, or None when it cannot run as sent (no such
    operation, variables that do not fit): execution reports that, with no work."""
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return None
    root = schema.get_root_type(operation.operation)
    coerced = get_variable_values(schema, operation.variable_definitions or (), variables or {})
    if root is None or not isinstance(coerced, VariableValues):
        return None
    fragments = {
        definition.name.value: definition
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }
    weigher = _Weigher(schema, fragments, coerced, max_page_size)
    try:
        return weigher.selections(root, [operation.selection_set], 1)
    except GraphQLError:
        return None  # an argument that does not fit: execution reports it


@dataclass(frozen=True)
class CostLimits:
    """The most one request may cost, per role; `public` for calls without a valid key."""

    public: int
    by_role: Mapping[Role, int]

    @classmethod
    def of(cls, settings: Settings) -> CostLimits:
        return cls(
            public=settings.cost_limit_public,
            by_role={
                Role.WIDGET: settings.cost_limit_widget,
                Role.VIEWER: settings.cost_limit_viewer,
                Role.AGENT: settings.cost_limit_agent,
                Role.PRIVACY_OFFICER: settings.cost_limit_privacy_officer,
                Role.ADMIN: settings.cost_limit_admin,
            },
        )

    @property
    def lowest(self) -> int:
        return min(self.public, *self.by_role.values())

    @property
    def highest(self) -> int:
        return max(self.public, *self.by_role.values())

    def of_role(self, role: Role | None) -> int:
        return self.public if role is None else self.by_role[role]


def too_expensive(cost: int, limit: int, message: str) -> GraphQLError:
    return GraphQLError(
        message, extensions={"code": "QUERY_TOO_EXPENSIVE", "cost": cost, "limit": limit}
    )


class QueryCost(SchemaExtension):
    """Refuses a query or mutation that costs more than the caller's role may spend,
    before it runs. The caller's key is looked up (usually from the key cache) only
    when the cost lies between the lowest and the highest limit."""

    def __init__(self, limits: CostLimits, max_page_size: int) -> None:
        self.limits = limits
        self.max_page_size = max_page_size

    async def on_execute(self) -> AsyncIterator[None]:
        refusal = await self._refusal()
        if refusal is not None:
            self.execution_context.result = ExecutionResult(data=None, errors=[refusal])
        yield

    async def _refusal(self) -> GraphQLError | None:
        execution = self.execution_context
        if execution.operation_type is OperationType.SUBSCRIPTION:
            return None  # one root field; what it sends is one event at a time
        assert execution.graphql_document is not None
        try:
            cost = operation_cost(
                execution.schema._schema,
                execution.graphql_document,
                execution.operation_name,
                execution.variables,
                self.max_page_size,
            )
        except Exception as error:
            # Raised from here, it would reach the client unmasked. The request runs
            # unweighed, still under the time limit; the text is left out (it may
            # quote input).
            frames = "".join(traceback.format_tb(error.__traceback__))
            log.error("the cost model failed with %s\n%s", type(error).__name__, frames)
            return None
        if cost is None or cost <= self.limits.lowest:
            return None
        if cost > self.limits.highest:
            return too_expensive(
                cost,
                self.limits.highest,
                f"This request would cost {cost}, above the limit of {self.limits.highest} "
                "for any caller; ask for fewer fields, smaller pages or shorter ranges.",
            )
        context = execution.context
        assert isinstance(context, Context)
        try:
            principal = await context.authenticate()
        except PyMongoError:
            return GraphQLError(
                "The database is unavailable; try again shortly.",
                extensions={"code": "UNAVAILABLE"},
            )
        limit = self.limits.of_role(principal.role if principal else None)
        if cost <= limit:
            return None
        return too_expensive(
            cost,
            limit,
            f"This request would cost {cost}, above your limit of {limit}; ask for fewer "
            "fields, smaller pages or shorter ranges.",
        )
