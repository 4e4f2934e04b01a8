"""Theme analytics over GraphQL: the summary, a theme's trend and emerging themes for
reading roles, refused to the others, an unknown theme NOT_FOUND, and their weight in
the cost model."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from graphql import GraphQLSchema, parse

from graphql_schema.cost import DEFAULT_LIST_SIZE, operation_cost
from graphql_schema.schema import build_schema
from hub.clock import FrozenClock
from hub.models.common import Channel, Role
from hub.services import Services
from hub.settings import Settings
from tests.factories import context, make_survey, person
from tests.support.graphql import GraphQLClient
from tests.support.theme_tags import define_themes, tag

SUMMARY = """
query Themes($filter: AnalyticsFilter) {
  themeSummary(filter: $filter) {
    key name mentions comments sharePct
    nps { n score }
    npsImpact { n mentions overall without impact intervalLow intervalHigh }
    csatImpact { impact }
  }
}
"""

TREND = """
query ThemeTrend($theme: String!, $filter: AnalyticsFilter!, $timezone: String!) {
  themeTrend(theme: $theme, filter: $filter, interval: DAY, timezone: $timezone) {
    start end summary { mentions comments sharePct nps { score } }
  }
}
"""

EMERGING = """
query Emerging($filter: AnalyticsFilter!) {
  emergingThemes(filter: $filter) {
    key mentions comments sharePct previousMentions previousComments previousSharePct
    z pValue significant
  }
}
"""

MARCH = {"dateFrom": "2026-03-02T00:00:00Z", "dateTo": "2026-03-04T00:00:00Z"}


@pytest.fixture
async def tagged(services: Services, clock: FrozenClock) -> None:
    """Billing in two of three comments on 3 March, none on 1 March."""
    await make_survey(services)
    await define_themes("billing", "support")
    answers = [
        (datetime(2026, 3, 1, 9, tzinfo=UTC), 9, []),
        (datetime(2026, 3, 3, 9, tzinfo=UTC), 2, ["billing"]),
        (datetime(2026, 3, 3, 10, tzinfo=UTC), 3, ["billing", "support"]),
        (datetime(2026, 3, 3, 11, tzinfo=UTC), 10, []),
    ]
    for number, (at, score, themes) in enumerate(answers):
        clock.set(at)
        display = await services.responses.record_display(
            "nps-main", person(9100 + number), Channel.IN_APP_WEB, context(), "en"
        )
        response = await services.responses.submit_score(str(display.id), score)
        await services.responses.submit_comment(str(response.id), "Because.")
        await tag(services.analytics.theme_listener, response.id, themes)


@pytest.mark.parametrize("role", [Role.VIEWER, Role.AGENT, Role.ADMIN])
async def test_reading_roles_get_the_theme_summary(
    gql: GraphQLClient, tagged: None, role: Role
) -> None:
    data = await gql.ok(SUMMARY, {"filter": {"surveyKeys": ["nps-main"], **MARCH}}, role)

    billing, support = data["themeSummary"]
    assert (billing["key"], billing["name"], billing["mentions"]) == ("billing", "Billing", 2)
    assert (billing["comments"], billing["sharePct"]) == (3, pytest.approx(200 / 3))
    assert billing["nps"] == {"n": 2, "score": -100.0}
    impact = billing["npsImpact"]
    # Everyone: one promoter, two detractors of 3 (-33.3); without billing: +100.
    assert (impact["n"], impact["mentions"]) == (3, 2)
    assert impact["impact"] == pytest.approx(-100 / 3 - 100)
    assert impact["intervalLow"] < impact["impact"] < impact["intervalHigh"]
    assert billing["csatImpact"] is None
    assert (support["key"], support["mentions"]) == ("support", 1)


async def test_a_theme_trend_and_the_emerging_themes(gql: GraphQLClient, tagged: None) -> None:
    days = {"dateFrom": "2026-03-01T00:00:00Z", "dateTo": "2026-03-04T00:00:00Z"}
    trend = await gql.ok(
        TREND, {"theme": "billing", "filter": days, "timezone": "UTC"}, Role.VIEWER
    )
    emerging = await gql.ok(
        EMERGING,
        {"filter": {"dateFrom": "2026-03-03T00:00:00Z", "dateTo": "2026-03-04T00:00:00Z"}},
        Role.VIEWER,
    )

    assert [p["summary"]["mentions"] for p in trend["themeTrend"]] == [0, 0, 2]
    assert [p["summary"]["sharePct"] for p in trend["themeTrend"]] == [
        0.0,
        None,
        pytest.approx(200 / 3),
    ]
    # Nothing on 2 March, the day before: no share to compare with.
    assert emerging["emergingThemes"] == []
    wider = await gql.ok(
        EMERGING,
        {"filter": {"dateFrom": "2026-03-03T00:00:00Z", "dateTo": "2026-03-05T00:00:00Z"}},
        Role.VIEWER,
    )
    first = wider["emergingThemes"][0]
    assert (first["key"], first["previousMentions"], first["previousComments"]) == ("billing", 0, 1)
    assert (first["mentions"], first["comments"]) == (2, 3)
    assert 0 < first["pValue"] < 1 and first["significant"] is False


@pytest.mark.parametrize("role", [Role.WIDGET, None])
async def test_theme_analytics_need_a_reading_role(
    gql: GraphQLClient, tagged: None, role: Role | None
) -> None:
    for document, variables in (
        (SUMMARY, {}),
        (TREND, {"theme": "billing", "filter": MARCH, "timezone": "UTC"}),
        (EMERGING, {"filter": MARCH}),
    ):
        code = await gql.error_code(document, variables, role)

        assert code == ("FORBIDDEN" if role else "UNAUTHENTICATED")


async def test_an_unknown_theme_and_a_bad_zone_are_refused(
    gql: GraphQLClient, tagged: None
) -> None:
    unknown = await gql.raw(
        TREND, {"theme": "nope", "filter": MARCH, "timezone": "UTC"}, Role.VIEWER
    )
    zone = await gql.error_code(
        TREND, {"theme": "billing", "filter": MARCH, "timezone": "Mars/Olympus"}, Role.VIEWER
    )
    no_range = await gql.error_code(EMERGING, {"filter": {}}, Role.VIEWER)

    assert unknown["errors"][0]["extensions"] == {"code": "NOT_FOUND", "field": "theme"}
    assert unknown["data"] is None
    assert zone == no_range == "INVALID_INPUT"


@pytest.fixture(scope="module")
def schema() -> GraphQLSchema:
    return build_schema(Settings(_env_file=None))._schema


def cost(schema: GraphQLSchema, document: str, variables: dict[str, Any]) -> int | None:
    return operation_cost(schema, parse(document), None, variables, 100)


def test_theme_queries_are_weighed_like_the_other_analytics(schema: GraphQLSchema) -> None:
    year = {"dateFrom": "2025-03-02T00:00:00Z", "dateTo": "2026-03-02T00:00:00Z"}
    summary = "query S($f: AnalyticsFilter) { themeSummary(filter: $f) { key nps { n } } }"
    trend = (
        "query T($f: AnalyticsFilter!) "
        '{ themeTrend(theme: "billing", filter: $f, interval: DAY) { summary { mentions } } }'
    )
    emerging = "query E($f: AnalyticsFilter!) { emergingThemes(filter: $f) { key } }"

    # The themes listed, each with its figures; the rollups and the theme rollups read.
    assert cost(schema, summary, {"f": year}) == DEFAULT_LIST_SIZE * 2 + 2 * 1
    # Each of 365 days: its point, its summary and two reads of one grain (UTC).
    assert cost(schema, trend, {"f": year}) == 365 * (1 + 1 + 2)
    # Two periods, two sources: four reads of one grain.
    assert cost(schema, emerging, {"f": year}) == DEFAULT_LIST_SIZE + 4
    # The half day before noon: bounds at midnight, noon and midnight, on the hour.
    half = {"dateFrom": "2026-03-01T12:00:00Z", "dateTo": "2026-03-02T00:00:00Z"}
    assert cost(schema, emerging, {"f": half}) == DEFAULT_LIST_SIZE + 4 * 2
