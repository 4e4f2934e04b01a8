"""Every query the widget calls and the responses filter run is an index scan."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from bson import SON

from hub.db import Database
from hub.models.common import Channel, Metric
from hub.services.widget.responses import ResponseFilter


def stages(plan: dict[str, Any]) -> list[str]:
    found: list[str] = []
    while plan:
        found.append(plan["stage"])
        plan = plan.get("inputStage") or {}
    return found


async def plan_of(
    database: Database, collection: str, query: dict[str, Any], **extra: Any
) -> list[str]:
    command = SON([("find", collection), ("filter", query), *extra.items()])
    explained = await database.command("explain", command, verbosity="queryPlanner")
    return stages(explained["queryPlanner"]["winningPlan"])


@pytest.mark.parametrize(
    ("collection", "query"),
    [
        ("surveys", {"key": "nps-main"}),
        ("api_keys", {"token_hash": "0" * 64}),
        ("contact_states", {"user_id": "user-1"}),
        ("contact_states", {"user_id": "user-1", "survey_key": "nps-main"}),
        ("people", {"user_id": "user-1"}),
        ("responses", {"display_id": "x"}),
        ("responses", {"user.id": "user-1"}),
        ("displays", {"user.id": "user-1"}),
        ("logins", {"user.id": "user-1"}),
    ],
)
async def test_widget_queries_use_an_index(
    database: Database, collection: str, query: dict[str, Any]
) -> None:
    assert "IXSCAN" in await plan_of(database, collection, query)


@pytest.mark.parametrize("collection", ["responses", "displays"])
@pytest.mark.parametrize("field", ["user.id", "user.username"])
async def test_identifiers_quoted_in_free_text_are_looked_up_by_an_index(
    database: Database, collection: str, field: str
) -> None:
    assert "IXSCAN" in await plan_of(database, collection, {field: {"$in": ["a-1", "b-2"]}})


FILTERS = [
    ResponseFilter(),
    ResponseFilter(survey_keys=["a", "b"], score_min=0, score_max=6),
    ResponseFilter(metric=Metric.NPS, has_comment=True),
    ResponseFilter(product="Accounting", score_min=9),
    ResponseFilter(country="NO", channel=Channel.EMAIL),
    ResponseFilter(channel=Channel.LINK, answered_from=datetime(2026, 1, 1, tzinfo=UTC)),
]


@pytest.mark.parametrize("response_filter", FILTERS, ids=lambda f: repr(f)[:60])
async def test_every_responses_filter_uses_an_index(
    database: Database, response_filter: ResponseFilter
) -> None:
    hint = SON(response_filter.index_hint())
    sort = SON([("answered_at", -1), ("_id", -1)])

    plan = await plan_of(database, "responses", response_filter.to_query(), sort=sort, hint=hint)

    assert "IXSCAN" in plan and "COLLSCAN" not in plan


@pytest.mark.parametrize("query", [{}, {"kind": "email"}, {"status": "FAILED"}])
async def test_the_deliveries_list_reads_the_outbox_by_an_index(
    database: Database, query: dict[str, Any]
) -> None:
    sort = SON([("created_at", -1), ("_id", -1)])

    plan = await plan_of(database, "outbox", query, sort=sort)

    assert "IXSCAN" in plan and "COLLSCAN" not in plan
