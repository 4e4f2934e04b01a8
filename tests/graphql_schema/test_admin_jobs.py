"""Admin jobs run one at a time, across processes and within one: rollup rebuilds,
retention runs and reapplying the erasure ledger. A second caller while one runs gets
a ConflictError (ALREADY_RUNNING) saying so, and nothing fails."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest

from hub.clock import FrozenClock
from hub.errors import Conflict, ErrorCode
from hub.models.common import Metric, Role
from hub.services import Services
from hub.services.analytics.analytics import REBUILD_LEASE
from hub.services.platform.leases import JobLeases
from hub.services.privacy.ledger_reapply import REAPPLY_LEASE
from hub.services.privacy.retention import RETENTION_LEASE
from tests.factories import insert_responses, make_survey
from tests.support.graphql import GraphQLClient

REBUILD = """
mutation Rebuild($surveyKey: String) {
  rebuildRollups(surveyKey: $surveyKey) {
    __typename ... on RollupsRebuilt { responses } ... on UserError { code message }
  }
}"""
RETENTION = """
mutation Run($dryRun: Boolean!) {
  runRetention(dryRun: $dryRun) {
    __typename ... on RetentionReport { dryRun } ... on UserError { code message }
  }
}"""
SUMMARY = "query { metricSummary { responses } }"
HOLDER = "another-process"
TTL = timedelta(minutes=5)


def outcomes(bodies: list[dict[str, Any]], field: str) -> list[str]:
    """The result type of each call; every refusal must be the 'already running' one."""
    names = []
    for body in bodies:
        assert not body.get("errors"), body["errors"]
        result = body["data"][field]
        if result["__typename"] == "ConflictError":
            assert result["code"] == "ALREADY_RUNNING"
            assert "already running" in result["message"]
        names.append(result["__typename"])
    return names


async def test_concurrent_rollup_rebuilds_run_one_at_a_time(
    services: Services, gql: GraphQLClient
) -> None:
    await make_survey(services)
    await insert_responses(["nps-main"], Metric.NPS, 300)

    bodies = await asyncio.gather(
        *(gql.raw(REBUILD, {"surveyKey": "nps-main"}, Role.ADMIN) for _ in range(3))
    )
    after = await gql.ok(REBUILD, {"surveyKey": "nps-main"}, Role.ADMIN)

    assert set(outcomes(bodies, "rebuildRollups")) <= {"RollupsRebuilt", "ConflictError"}
    assert "RollupsRebuilt" in outcomes(bodies, "rebuildRollups")
    assert after["rebuildRollups"] == {"__typename": "RollupsRebuilt", "responses": 300}
    summary = await gql.ok(SUMMARY, role=Role.VIEWER)
    assert summary["metricSummary"]["responses"] == 300


async def test_concurrent_retention_runs_run_one_at_a_time(
    services: Services, gql: GraphQLClient
) -> None:
    await make_survey(services)

    bodies = await asyncio.gather(
        *(gql.raw(RETENTION, {"dryRun": False}, Role.PRIVACY_OFFICER) for _ in range(3))
    )

    assert set(outcomes(bodies, "runRetention")) <= {"RetentionReport", "ConflictError"}
    assert "RetentionReport" in outcomes(bodies, "runRetention")


@pytest.mark.parametrize(
    ("document", "variables", "role", "lease", "field"),
    [
        (REBUILD, {}, Role.ADMIN, REBUILD_LEASE, "rebuildRollups"),
        (RETENTION, {"dryRun": False}, Role.PRIVACY_OFFICER, RETENTION_LEASE, "runRetention"),
    ],
    ids=["rebuild", "retention"],
)
async def test_a_job_held_elsewhere_is_a_conflict_until_its_lease_runs_out(
    document: str,
    variables: dict[str, Any],
    role: Role,
    lease: str,
    field: str,
    services: Services,
    gql: GraphQLClient,
    clock: FrozenClock,
) -> None:
    await make_survey(services)
    assert await JobLeases(clock, HOLDER).acquire(lease, TTL) is not None

    refused = await gql.ok(document, variables, role)
    clock.advance(TTL + timedelta(seconds=1))  # the holder died without letting go
    taken_over = await gql.ok(document, variables, role)

    assert outcomes([{"data": refused}], field) == ["ConflictError"]
    assert outcomes([{"data": taken_over}], field) != ["ConflictError"]


async def test_a_dry_run_of_retention_is_not_held_up_by_a_real_one(
    services: Services, gql: GraphQLClient, clock: FrozenClock
) -> None:
    await JobLeases(clock, HOLDER).acquire(RETENTION_LEASE, TTL)

    body = await gql.ok(RETENTION, {"dryRun": True}, Role.PRIVACY_OFFICER)

    assert body["runRetention"] == {"__typename": "RetentionReport", "dryRun": True}


async def test_the_daily_retention_run_skips_a_day_when_a_run_is_under_way(
    services: Services, clock: FrozenClock
) -> None:
    await JobLeases(clock, HOLDER).acquire(RETENTION_LEASE, TTL)

    await services.retention.run_scheduled()  # no error: the scheduler logs none

    assert (await services.retention.totals()).runs == 0


async def test_reapplying_the_erasure_ledger_runs_one_at_a_time(
    services: Services, clock: FrozenClock
) -> None:
    await JobLeases(clock, HOLDER).acquire(REAPPLY_LEASE, TTL)

    with pytest.raises(Conflict) as refused:
        await services.ledger_reapply().run()

    assert refused.value.code is ErrorCode.ALREADY_RUNNING
