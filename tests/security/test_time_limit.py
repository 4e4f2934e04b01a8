"""A query that runs past HUB_REQUEST_TIMEOUT_MS is stopped and answered with TIMEOUT,
a typed GraphQL error, not a 5xx. The resolvers here wait on events the test holds, so
nothing depends on how fast the machine is: the limit is the only way out."""

from __future__ import annotations

import asyncio
import io
import json
from typing import Any

import httpx
import pytest

from hub.models.common import Role
from hub.services import Services
from hub.services.analytics.rebuild import RebuildReport
from hub.settings import Settings
from tests.support.graphql import GraphQLClient

LIMIT_MS = 50
HANG_GUARD_SECONDS = 60  # only so that a broken limit fails the test instead of hanging


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"request_timeout_ms": LIMIT_MS})


async def test_a_query_past_the_limit_is_stopped_with_timeout(
    http: httpx.AsyncClient,
    gql: GraphQLClient,
    services: Services,
    monkeypatch: pytest.MonkeyPatch,
    captured: io.StringIO,
) -> None:
    started = asyncio.Event()
    never = asyncio.Event()
    cancelled = asyncio.Event()

    async def stuck(*args: Any) -> None:
        started.set()
        try:
            await never.wait()
        except asyncio.CancelledError:
            cancelled.set()
            raise

    monkeypatch.setattr(services.analytics, "summary", stuck)

    response = await asyncio.wait_for(
        http.post(
            "/graphql",
            json={"query": "query Figures { metricSummary { responses } }"},
            headers={"Authorization": f"Bearer {gql.tokens[Role.VIEWER]}"},
        ),
        HANG_GUARD_SECONDS,
    )

    assert response.status_code == 200
    body = response.json()
    assert body["data"] is None
    (error,) = body["errors"]
    assert error["extensions"] == {"code": "TIMEOUT", "limitMs": LIMIT_MS}
    assert f"{LIMIT_MS} ms" in error["message"]
    assert "Traceback" not in response.text
    assert started.is_set() and cancelled.is_set()  # the work itself was stopped
    access = [json.loads(line) for line in captured.getvalue().splitlines() if "Figures" in line]
    assert [line.get("outcome") for line in access if "outcome" in line] == ["error:TIMEOUT"]

    monkeypatch.undo()
    data = await gql.ok("{ metricSummary { responses } }", role=Role.VIEWER)
    assert data["metricSummary"]["responses"] == 0


async def test_a_mutation_runs_to_its_end_past_the_limit(
    gql: GraphQLClient, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = asyncio.Event()
    release = asyncio.Event()

    async def slow_rebuild(survey_key: str | None = None) -> RebuildReport:
        started.set()
        await release.wait()
        return RebuildReport(
            displays=1, responses=1, daily_rollups=1, hourly_rollups=1, slot_rollups=1
        )

    monkeypatch.setattr(services.analytics, "rebuild", slow_rebuild)
    call = asyncio.create_task(
        gql.ok(
            "mutation { rebuildRollups { ... on RollupsRebuilt { displays } } }",
            role=Role.ADMIN,
        )
    )
    await asyncio.wait_for(started.wait(), HANG_GUARD_SECONDS)
    await asyncio.sleep(LIMIT_MS * 10 / 1000)  # well past the limit, whatever the load
    release.set()

    data = await asyncio.wait_for(call, HANG_GUARD_SECONDS)
    assert data == {"rebuildRollups": {"displays": 1}}
