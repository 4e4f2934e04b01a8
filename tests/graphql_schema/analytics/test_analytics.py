"""Analytics over GraphQL: figures by role, trends in a zone, breakdowns, the
rollup rebuild and response exports."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import MutableMapping
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from starlette.applications import Starlette

from hub.clock import FrozenClock
from hub.models.common import Channel, Metric, Role
from hub.models.rollup import DailyRollup
from hub.services import Services
from tests.factories import context, insert_responses, make_survey, person
from tests.support.graphql import GraphQLClient

SUMMARY = """
query Summary($filter: AnalyticsFilter) {
  metricSummary(filter: $filter) {
    displays responses comments declines responseRate commentRate declineRate
    nps { n promoters passives detractors score intervalLow intervalHigh }
    csat { n satisfiedPct mean }
    ces { n mean easyPct }
  }
}
"""

TREND = """
query Trend($filter: AnalyticsFilter!, $interval: TrendInterval!, $timezone: String!) {
  metricTrend(filter: $filter, interval: $interval, timezone: $timezone) {
    start end
    summary { responses nps { score } }
  }
}
"""

BREAKDOWN = """
query Breakdown($by: BreakdownDimension!, $top: Int!) {
  metricBreakdown(by: $by, top: $top) {
    key other groups
    summary { responses nps { score } }
  }
}
"""

DISTRIBUTION = """
query Distribution($filter: AnalyticsFilter) {
  scoreDistribution(filter: $filter) { metric score count }
}
"""

REBUILD = """
mutation Rebuild($surveyKey: String) {
  rebuildRollups(surveyKey: $surveyKey) {
    __typename
    ... on RollupsRebuilt {
      displays responses dailyRollups hourlyRollups slotRollups themeDailyRollups
    }
    ... on NotFoundError { code field }
  }
}
"""

EXPORT = """
mutation Export($filter: ResponseFilter) {
  exportResponses(filter: $filter) {
    __typename
    ... on ResponseExportLink { url expiresAt }
    ... on ValidationError { code field }
  }
}
"""


@pytest.fixture
def hub(app: Starlette) -> Services:
    """The app's own services, so its event bus sees the writes."""
    services: Services = app.state.services
    return services


async def answer(
    services: Services,
    clock: FrozenClock,
    number: int,
    at: datetime,
    score: int | None,
    survey_key: str = "nps-main",
    comment: str | None = None,
    decline: bool = False,
    **where: Any,
) -> None:
    clock.set(at)
    display = await services.responses.record_display(
        survey_key, person(number), Channel.IN_APP_WEB, context(**where), "en"
    )
    if decline:
        await services.responses.decline(str(display.id))
    elif score is not None:
        response = await services.responses.submit_score(str(display.id), score)
        if comment:
            await services.responses.submit_comment(str(response.id), comment)


@pytest.fixture
async def answered(hub: Services, clock: FrozenClock) -> None:
    """NPS in Norway and Sweden, and one CSAT answer, early March 2026."""
    await make_survey(hub)
    await make_survey(hub, key="csat-help", metric=Metric.CSAT, product="Support")
    day = datetime(2026, 3, 2, 12, tzinfo=UTC)
    await answer(hub, clock, 1, day, 10, comment="Love it", country="NO")
    await answer(hub, clock, 2, day, 9, country="NO")
    await answer(hub, clock, 3, day, 2, comment="Slow", country="SE")
    await answer(hub, clock, 4, day, None, decline=True, country="SE")
    await answer(hub, clock, 5, day + timedelta(days=1), 4, survey_key="csat-help")


async def test_viewer_reads_the_summary(gql: GraphQLClient, answered: None) -> None:
    data = await gql.ok(SUMMARY, role=Role.VIEWER)

    summary = data["metricSummary"]
    assert (summary["displays"], summary["responses"], summary["declines"]) == (5, 4, 1)
    assert summary["responseRate"] == pytest.approx(80.0)
    assert summary["declineRate"] == pytest.approx(20.0)
    assert summary["commentRate"] == pytest.approx(50.0)
    assert summary["nps"]["n"] == 3
    assert summary["nps"]["score"] == pytest.approx(100 / 3)
    assert summary["nps"]["intervalLow"] < summary["nps"]["score"] < summary["nps"]["intervalHigh"]
    assert summary["csat"] == {"n": 1, "satisfiedPct": 100.0, "mean": 4.0}
    assert summary["ces"] is None


async def test_summary_filtered_by_country_and_metric(gql: GraphQLClient, answered: None) -> None:
    data = await gql.ok(SUMMARY, {"filter": {"country": "SE", "metric": "NPS"}}, role=Role.AGENT)

    summary = data["metricSummary"]
    assert (summary["displays"], summary["responses"], summary["declines"]) == (2, 1, 1)
    assert summary["nps"]["detractors"] == 1 and summary["nps"]["score"] == -100.0
    assert summary["csat"] is None


async def test_trend_in_a_time_zone(gql: GraphQLClient, hub: Services, clock: FrozenClock) -> None:
    await make_survey(hub)
    # 23:30 UTC on 2 March is already 3 March in Oslo.
    await answer(hub, clock, 1, datetime(2026, 3, 2, 23, 30, tzinfo=UTC), 10)
    variables = {
        "filter": {"dateFrom": "2026-03-01T23:00:00Z", "dateTo": "2026-03-04T23:00:00Z"},
        "interval": "DAY",
        "timezone": "Europe/Oslo",
    }

    data = await gql.ok(TREND, variables, role=Role.VIEWER)

    assert [(p["start"], p["summary"]["responses"]) for p in data["metricTrend"]] == [
        ("2026-03-02T00:00:00+01:00", 0),
        ("2026-03-03T00:00:00+01:00", 1),
        ("2026-03-04T00:00:00+01:00", 0),
    ]
    assert data["metricTrend"][0]["summary"]["nps"] == {"score": None}


# "America" is a folder of the zone database: ZoneInfo raises OSError for it.
@pytest.mark.parametrize("timezone", ["Europe/Atlantis", "America", "Europe/"])
async def test_trend_with_an_unknown_zone_is_a_clear_error(
    gql: GraphQLClient, answered: None, timezone: str
) -> None:
    variables = {
        "filter": {"dateFrom": "2026-03-01T00:00:00Z", "dateTo": "2026-03-04T00:00:00Z"},
        "interval": "WEEK",
        "timezone": timezone,
    }

    body = await gql.raw(TREND, variables, role=Role.VIEWER)

    assert body["errors"][0]["extensions"] == {"code": "INVALID_INPUT", "field": "timezone"}


async def test_breakdown_by_country_with_other(gql: GraphQLClient, answered: None) -> None:
    data = await gql.ok(BREAKDOWN, {"by": "COUNTRY", "top": 1}, role=Role.VIEWER)

    assert data["metricBreakdown"] == [
        {
            "key": "NO",
            "other": False,
            "groups": 1,
            "summary": {"responses": 3, "nps": {"score": 100.0}},
        },
        {
            "key": None,
            "other": True,
            "groups": 1,
            "summary": {"responses": 1, "nps": {"score": -100.0}},
        },
    ]


async def test_score_distribution(gql: GraphQLClient, answered: None) -> None:
    data = await gql.ok(DISTRIBUTION, {"filter": {"surveyKeys": ["csat-help"]}}, role=Role.VIEWER)

    assert [(c["score"], c["count"]) for c in data["scoreDistribution"]] == [
        (1, 0),
        (2, 0),
        (3, 0),
        (4, 1),
        (5, 0),
    ]


@pytest.mark.parametrize("role", [Role.WIDGET, None])
async def test_analytics_need_a_reading_role(
    gql: GraphQLClient, answered: None, role: Role | None
) -> None:
    code = await gql.error_code(SUMMARY, role=role)

    assert code == ("FORBIDDEN" if role else "UNAUTHENTICATED")


async def test_admin_rebuilds_rollups(gql: GraphQLClient, answered: None) -> None:
    await DailyRollup.get_pymongo_collection().delete_many({})

    rebuilt = await gql.ok(REBUILD, role=Role.ADMIN)
    summary = await gql.ok(SUMMARY, role=Role.VIEWER)
    missing = await gql.ok(REBUILD, {"surveyKey": "nope"}, role=Role.ADMIN)
    forbidden = await gql.error_code(REBUILD, role=Role.VIEWER)

    assert rebuilt["rebuildRollups"] == {
        "__typename": "RollupsRebuilt",
        "displays": 5,
        "responses": 4,
        # NPS in NO, NPS in SE, CSAT in NO; and per survey: NPS, CSAT (each grain);
        # and per day only, each survey's countries (3), channels (2), companies (2).
        "dailyRollups": 12,
        "hourlyRollups": 5,
        "slotRollups": 5,
        "themeDailyRollups": 0,  # no comment mentions a theme
    }
    assert summary["metricSummary"]["responses"] == 4
    assert missing["rebuildRollups"] == {
        "__typename": "NotFoundError",
        "code": "NOT_FOUND",
        "field": "surveyKey",
    }
    assert forbidden == "FORBIDDEN"


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


async def download(http: httpx.AsyncClient, url: str, **kwargs: Any) -> httpx.Response:
    parts = urlsplit(url)
    return await http.get(f"{parts.path}?{parts.query}", **kwargs)


async def test_export_link_masks_personal_data_for_a_viewer(
    gql: GraphQLClient, http: httpx.AsyncClient, answered: None
) -> None:
    data = await gql.ok(EXPORT, {"filter": {"surveyKeys": ["nps-main"]}}, role=Role.VIEWER)
    link = data["exportResponses"]

    response = await download(http, link["url"])

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    exported = rows(response.text)
    assert sorted(int(row["score"]) for row in exported) == [2, 9, 10]
    assert {row["email"] for row in exported} == {""}
    assert {row["user_id"] for row in exported} == {""}
    assert {row["comment"] for row in exported} == {"Love it", "", "Slow"}


async def test_export_for_a_privacy_officer_shows_personal_data(
    gql: GraphQLClient, http: httpx.AsyncClient, tokens: dict[Role, str], answered: None
) -> None:
    response = await http.get(
        "/exports/responses.csv",
        params={"metric": "NPS", "scoreMin": "9"},
        headers={"Authorization": f"Bearer {tokens[Role.PRIVACY_OFFICER]}"},
    )

    exported = rows(response.text)
    assert sorted(row["email"] for row in exported) == [
        "person1@example.org",
        "person2@example.org",
    ]


async def test_export_refuses_tampered_expired_and_unauthenticated_downloads(
    gql: GraphQLClient,
    http: httpx.AsyncClient,
    tokens: dict[Role, str],
    clock: FrozenClock,
    answered: None,
) -> None:
    link = (await gql.ok(EXPORT, {"filter": {"scoreMax": 6}}, role=Role.VIEWER))["exportResponses"]

    tampered = await download(http, link["url"].replace("scoreMax=6", "scoreMax=10"))
    as_admin = await download(http, link["url"].replace("role=viewer", "role=admin"))
    anonymous = await http.get("/exports/responses.csv")
    widget = await http.get(
        "/exports/responses.csv", headers={"Authorization": f"Bearer {tokens[Role.WIDGET]}"}
    )
    bad_filter = await http.get(
        "/exports/responses.csv",
        params={"metric": "{'$ne': 1}"},
        headers={"Authorization": f"Bearer {tokens[Role.VIEWER]}"},
    )
    clock.advance(timedelta(minutes=6))
    expired = await download(http, link["url"])

    assert [r.status_code for r in (tampered, as_admin, anonymous, widget, expired)] == [
        403,
        403,
        401,
        403,
        403,
    ]
    assert bad_filter.status_code == 400
    assert bad_filter.json()["error"]["field"] == "metric"


async def test_a_large_export_is_streamed_in_chunks(
    app: Starlette, tokens: dict[Role, str], hub: Services
) -> None:
    survey = await make_survey(hub)
    await insert_responses([survey.key], survey.metric, 1200)

    # Called as a server calls the app, to see each body message it sends.
    sent: list[MutableMapping[str, Any]] = []
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/exports/responses.csv",
        "raw_path": b"/exports/responses.csv",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"authorization", f"Bearer {tokens[Role.VIEWER]}".encode())],
        "client": ("127.0.0.1", 1),
        "server": ("hub.test", 80),
        "app": app,
    }

    requested = False
    never = asyncio.Event()

    async def receive() -> MutableMapping[str, Any]:
        nonlocal requested
        if requested:  # the client stays connected
            await never.wait()
        requested = True
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)

    bodies = [m["body"] for m in sent if m["type"] == "http.response.body" and m.get("body")]
    exported = rows(b"".join(bodies).decode())
    assert len(exported) == 1200
    assert exported[0]["answered_at"] > exported[-1]["answered_at"]  # newest first
    assert len(bodies) == 3  # 500 rows at a time, never the whole file in memory
