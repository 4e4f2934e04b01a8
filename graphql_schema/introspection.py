"""Who may read the schema through introspection (`HUB_INTROSPECTION`).

The schema names every field, argument and error code: a map for whoever probes the
API. By default only callers with a valid API key (any role) may read it. The check
runs once the document is parsed and validated, before anything executes, and looks
at every field of the document (fragments included) for `__schema` and `__type`;
`__typename` is not introspection and is never refused."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, Literal

from graphql import BREAK, DocumentNode, FieldNode, GraphQLError, Visitor, visit
from strawberry.extensions import SchemaExtension

from graphql_schema.context import Context

Exposure = Literal["authenticated", "public", "off"]

_INTROSPECTION_FIELDS = frozenset({"__schema", "__type"})


class _SchemaFields(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.found = False

    def enter_field(self, node: FieldNode, *_: Any) -> Any:
        if node.name.value in _INTROSPECTION_FIELDS:
            self.found = True
            return BREAK
        return None


def asks_for_the_schema(document: DocumentNode) -> bool:
    visitor = _SchemaFields()
    visit(document, visitor)
    return visitor.found


class SchemaExposure(SchemaExtension):
    """Refuses introspection to callers the setting does not allow: the operation
    answers one error (FORBIDDEN when off, UNAUTHENTICATED without a valid key) and
    no data. Runs after ValidationCache, which has validated the document by then."""

    def __init__(self, exposure: Exposure) -> None:
        super().__init__()
        self.exposure = exposure

    async def on_validate(self) -> AsyncIterator[None]:
        execution = self.execution_context
        document = execution.graphql_document
        if (
            self.exposure != "public"
            and not execution.pre_execution_errors
            and document is not None
            and asks_for_the_schema(document)
        ):
            refusal = await self._refusal(execution.context)
            if refusal is not None:
                execution.pre_execution_errors = [refusal]
        yield

    async def _refusal(self, context: object) -> GraphQLError | None:
        if self.exposure == "off":
            return GraphQLError(
                "Reading the schema is turned off on this hub (HUB_INTROSPECTION).",
                extensions={"code": "FORBIDDEN"},
            )
        if isinstance(context, Context) and await context.authenticate() is not None:
            return None
        return GraphQLError(
            "Reading the schema needs a valid API key (Authorization: Bearer …).",
            extensions={"code": "UNAUTHENTICATED"},
        )
