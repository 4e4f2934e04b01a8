"""The cost model weighs documents before they run: pure computation, no database, for
the shapes clients send (aliases, fragments, variables, nested lists, unions)."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import GraphQLSchema, parse

from graphql_schema.cost import (
    DEFAULT_LIST_SIZE,
    MUTATION_WEIGHT,
    SIZED,
    CostLimits,
    operation_cost,
)
from graphql_schema.schema import build_schema
from hub.models.common import Role
from hub.settings import Settings

MAX_PAGE = 100


@pytest.fixture(scope="module")
def schema() -> GraphQLSchema:
    return build_schema(Settings(_env_file=None))._schema


def cost(
    schema: GraphQLSchema,
    document: str,
    variables: dict[str, Any] | None = None,
    operation: str | None = None,
) -> int | None:
    return operation_cost(schema, parse(document), operation, variables, MAX_PAGE)


def test_scalars_are_free_and_an_object_costs_one(schema: GraphQLSchema) -> None:
    assert cost(schema, '{ survey(key: "x") { key status defaultLocale } }') == 1


def test_a_connection_costs_its_page_default_or_given(schema: GraphQLSchema) -> None:
    # The connection, then `first` edges and their nodes (20 when not given).
    assert cost(schema, "{ responses { edges { node { id } } } }") == 1 + 20 + 20
    paged = """
    query($n: Int!) { responses(first: $n) { edges { node { id } } pageInfo { hasNextPage } } }
    """
    assert cost(schema, paged, {"n": 5}) == 1 + 5 + 5 + 1
    # Beyond HUB_MAX_PAGE_SIZE the resolver refuses; the model counts the largest page.
    assert cost(schema, "{ responses(first: 5000) { edges { node { id } } } }") == 1 + 100 + 100


def test_nested_lists_multiply(schema: GraphQLSchema) -> None:
    document = "{ responses(first: 10) { edges { node { survey { texts { locale } } } } } }"
    # edges and nodes 10 each, a survey per node, DEFAULT_LIST_SIZE texts per survey.
    assert cost(schema, document) == 1 + 10 + 10 + 10 + 10 * DEFAULT_LIST_SIZE


def test_aliases_count_each_and_merged_fields_count_once(schema: GraphQLSchema) -> None:
    assert cost(schema, '{ a: survey(key: "x") { key } b: survey(key: "y") { key } }') == 2
    # One response key runs once, however often it is written.
    assert cost(schema, '{ survey(key: "x") { key } survey(key: "x") { status } }') == 1


def test_fragments_count_where_they_apply(schema: GraphQLSchema) -> None:
    spread = """
    fragment Keyed on Response { survey { key } }
    { responses(first: 10) { edges { node { ...Keyed ... on Response { survey { status } } } } } }
    """
    inline = "{ responses(first: 10) { edges { node { survey { key status } } } } }"
    assert cost(schema, spread) == cost(schema, inline) == 1 + 10 + 10 + 10


def test_a_union_costs_its_costliest_member(schema: GraphQLSchema) -> None:
    document = """
    mutation { claimFollowUp(id: "x") {
      ... on FollowUp { response { survey { key } } }
      ... on NotFoundError { code }
    } }
    """
    assert cost(schema, document) == MUTATION_WEIGHT + 2


def test_a_mutation_weighs_the_items_of_its_list_arguments(schema: GraphQLSchema) -> None:
    document = """
    mutation($r: [UserInput!]!) {
      sendSurveyInvitations(surveyKey: "x", recipients: $r) { __typename }
    }
    """
    recipients = [{"id": f"u{n}"} for n in range(250)]
    assert cost(schema, document, {"r": recipients}) == MUTATION_WEIGHT + 250


def test_a_trend_weighs_periods_times_grains_from_its_variables(schema: GraphQLSchema) -> None:
    document = """
    query Trend($f: AnalyticsFilter!, $tz: String!) {
      metricTrend(filter: $f, interval: DAY, timezone: $tz) { start summary { responses } }
    }
    """
    days = {"dateFrom": "2024-07-01T00:00:00Z", "dateTo": "2026-12-31T00:00:00Z"}
    # Each period: its point, its summary object and its reads (1 grain in UTC, 2 in New
    # York, 3 in Kathmandu). 913 local days in UTC; the range's ends fall on 914 local
    # days in New York (from June 30th) and in Kathmandu (to December 31st).
    assert cost(schema, document, {"f": days, "tz": "UTC"}) == 913 * (1 + 1 + 1)
    assert cost(schema, document, {"f": days, "tz": "America/New_York"}) == 914 * (1 + 1 + 2)
    assert cost(schema, document, {"f": days, "tz": "Asia/Kathmandu"}) == 914 * (1 + 1 + 3)
    months = {**days, "dateFrom": "2026-01-01T00:00:00Z"}
    monthly = document.replace("interval: DAY", "interval: MONTH")
    assert cost(schema, monthly, {"f": months, "tz": "UTC"}) == 12 * (1 + 1 + 1)


def test_analytics_summaries_breakdowns_and_distributions(schema: GraphQLSchema) -> None:
    assert cost(schema, "{ metricSummary { responses nps { score } } }") == 1 + 1 + 1
    on_the_hour = '{ metricSummary(filter: {dateFrom: "2026-01-01T05:00:00Z"}) { responses } }'
    assert cost(schema, on_the_hour) == 1 + 2
    breakdown = "{ metricBreakdown(by: COUNTRY, top: 5) { key summary { responses } } }"
    assert cost(schema, breakdown) == 6 + 1 + 6  # top + "other", one read, a summary each
    # 11 + 7 + 5 score values, one read.
    assert cost(schema, "{ scoreDistribution { metric score count } }") == 23 + 1


def test_skip_and_include_follow_their_variables(schema: GraphQLSchema) -> None:
    document = 'query($s: Boolean!) { survey(key: "x") @skip(if: $s) { key } }'
    assert cost(schema, document, {"s": True}) == 0
    assert cost(schema, document, {"s": False}) == 1


def test_the_named_operation_is_weighed(schema: GraphQLSchema) -> None:
    document = """
    query Small { survey(key: "x") { key } }
    query Large { responses { edges { node { id } } } }
    """
    assert cost(schema, document, operation="Small") == 1
    assert cost(schema, document, operation="Large") == 41


def test_what_cannot_run_is_left_to_execution(schema: GraphQLSchema) -> None:
    document = "query($n: Int!) { responses(first: $n) { totalCount } }"
    assert cost(schema, document, {"n": "many"}) is None
    assert cost(schema, document, {}) is None
    assert cost(schema, '{ survey(key: "x") { key } }', operation="Missing") is None


def test_introspection_costs_one(schema: GraphQLSchema) -> None:
    assert cost(schema, "{ __schema { types { name fields { name args { name } } } } }") == 1


def test_every_sized_field_is_in_the_schema(schema: GraphQLSchema) -> None:
    for coordinate in SIZED:
        type_name, field = coordinate.split(".")
        assert field in schema.get_type(type_name).fields, coordinate  # type: ignore[union-attr]


def test_limits_come_from_the_settings_per_role() -> None:
    settings = Settings(_env_file=None, cost_limit_viewer=7, cost_limit_public=3)
    limits = CostLimits.of(settings)

    assert limits.of_role(Role.VIEWER) == 7
    assert limits.of_role(None) == 3
    assert limits.lowest == 3
    assert limits.highest == settings.cost_limit_admin
