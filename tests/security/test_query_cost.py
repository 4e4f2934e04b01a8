"""Every GraphQL call has a bounded cost: a request whose estimated cost is beyond its
role's limit is refused before it runs, with QUERY_TOO_EXPENSIVE and no database work
(counted with command monitoring, never timed)."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from graphql_schema import cost
from hub.db import Database
from hub.models.common import Role
from hub.settings import Settings
from tests.support.commands import CommandCounter, counting_commands
from tests.support.graphql import GraphQLClient

TREND = """
  {alias}: metricTrend(
    filter: {{dateFrom: "2024-07-01T00:00:00Z", dateTo: "2026-12-31T00:00:00Z"}},
    interval: DAY, timezone: "Asia/Kathmandu"
  ) {{ start summary {{ responses }} }}
"""


def trends(count: int) -> str:
    return "{" + "".join(TREND.format(alias=f"t{n}") for n in range(count)) + "}"


@pytest.fixture
async def counter(
    http: httpx.AsyncClient, mongo_uri: str, database: Database
) -> AsyncIterator[CommandCounter]:
    async with counting_commands(mongo_uri, database) as counting:
        yield counting


async def test_fifteen_long_trends_in_a_quarter_hour_zone_are_refused_without_database_work(
    gql: GraphQLClient, counter: CommandCounter
) -> None:
    # Inside the depth, alias and token limits: 15 x 914 daily points, each read from
    # the day, hour and quarter-hour rollups.
    body = await gql.raw(trends(15), role=Role.VIEWER)

    assert body["data"] is None
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "QUERY_TOO_EXPENSIVE"
    assert error["extensions"]["cost"] > error["extensions"]["limit"]
    assert str(error["extensions"]["limit"]) in error["message"].replace(",", "")
    assert counter.commands == []


# 1,000 daily points in UTC (one grain), each with a point, a summary and three figures.
THOUSAND_DAYS = """
query Dashboard {
  metricTrend(
    filter: {dateFrom: "2024-01-01T00:00:00Z", dateTo: "2026-09-27T00:00:00Z"}, interval: DAY
  ) { start summary { responses nps { score } csat { mean } ces { mean } } }
}
"""


async def test_the_limit_is_the_callers_role(
    gql: GraphQLClient, counter: CommandCounter, settings: Settings
) -> None:
    await gql.ok("{ metricSummary { responses } }", role=Role.VIEWER)  # the key is cached
    counter.commands.clear()

    body = await gql.raw(THOUSAND_DAYS, role=Role.VIEWER)

    (error,) = body["errors"]
    assert error["extensions"] == {
        "code": "QUERY_TOO_EXPENSIVE",
        "cost": 6000,
        "limit": settings.cost_limit_viewer,
    }
    assert error["message"] == (
        f"This request would cost 6000, above your limit of {settings.cost_limit_viewer}; "
        "ask for fewer fields, smaller pages or shorter ranges."
    )
    assert counter.commands == []

    data = await gql.ok(THOUSAND_DAYS, role=Role.ADMIN)
    assert len(data["metricTrend"]) == 1000


async def test_a_failing_cost_model_lets_the_request_run_and_logs_no_input(
    gql: GraphQLClient, monkeypatch: pytest.MonkeyPatch, captured: io.StringIO
) -> None:
    quoted = "person" + "@example.com"  # as input quoted in an exception's text

    def broken(*args: Any) -> int:
        raise ValueError(quoted)

    monkeypatch.setattr(cost, "operation_cost", broken)

    data = await gql.ok("{ metricSummary { responses } }", role=Role.VIEWER)

    assert data == {"metricSummary": {"responses": 0}}
    assert "the cost model failed with ValueError" in captured.getvalue()
    assert quoted not in captured.getvalue()
