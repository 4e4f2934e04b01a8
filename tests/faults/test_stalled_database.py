"""A database that is reachable but does not answer: every call still answers, with
UNAVAILABLE, within the configured time limits, and a write that gave up does not hold
the person's documents, so trying it again succeeds as soon as the database answers.

The server is stalled with SecantusDB's `configureFailPoint` (started with
`--enable-test-commands`). Time appears here only as hang guards: a call that waited
for the stalled server would answer after `STALL_MS`, far past every guard."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from pymongo import AsyncMongoClient
from starlette.applications import Starlette

from hub.clock import FrozenClock
from hub.db import EmbeddedDatabase, make_client
from hub.models.common import Role
from hub.server.app import create_app
from hub.services import Services
from hub.settings import Settings
from tests.factories import make_survey
from tests.support.clock import START
from tests.support.failpoints import recover, stall
from tests.support.graphql import GraphQLClient

DB_TIMEOUT_MS = 2500
WRITE_TIMEOUT_MS = 3000
# Hang guards on a busy machine, not speed claims.
MARGIN_SECONDS = 10.0

USER = {"id": "stalled-1", "email": "stalled@example.org"}
ELIGIBILITY = """
query($user: UserInput!) {
  surveyEligibility(surveyKey: "nps-main", user: $user, channel: IN_APP_WEB) { eligible }
}
"""
SHOW = """
mutation($user: UserInput!) {
  recordDisplay(surveyKey: "nps-main", user: $user, channel: IN_APP_WEB) {
    __typename ... on DisplayRecorded { displayId } ... on UserError { code }
  }
}
"""
SCORE = """
mutation($id: ID!) {
  submitScore(displayId: $id, score: 4) {
    __typename ... on ScoreSubmitted { responseId } ... on UserError { code }
  }
}
"""


@pytest.fixture
async def server() -> AsyncIterator[EmbeddedDatabase]:
    """A server of its own: failpoints apply to the whole server."""
    server = EmbeddedDatabase(":memory:", durable=False, test_commands=True)
    server.start()
    try:
        await server.wait_ready()
        yield server
    finally:
        server.stop(timeout=5)


@pytest.fixture
async def control(server: EmbeddedDatabase) -> AsyncIterator[AsyncMongoClient[dict[str, Any]]]:
    """The test's own client, which arms and disarms the failpoints."""
    client = make_client(server.uri)
    yield client
    await client.admin.command("configureFailPoint", "failCommand", mode="off")
    await client.admin.command("configureFailPoint", "maxTimeAlwaysTimeOut", mode="off")
    await client.close()


@pytest.fixture
async def hub(server: EmbeddedDatabase, tmp_path: Path) -> AsyncIterator[Starlette]:
    settings = Settings(
        _env_file=None,
        mongodb_uri=SecretStr(server.uri),
        data_dir=tmp_path / "data",
        db_timeout_ms=DB_TIMEOUT_MS,
        write_timeout_ms=WRITE_TIMEOUT_MS,
        # Nothing writes beside the calls under test: a failpoint meets them first.
        background_workers=False,
        retention_daily=False,
        rate_limit_per_address="",
        rate_limit_per_token="",
    )
    app = create_app(settings, FrozenClock(START))
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
async def gql(hub: Starlette) -> AsyncIterator[GraphQLClient]:
    services: Services = hub.state.services
    await make_survey(services)
    _, token = await services.keys.create(Role.WIDGET, "stalled")
    transport = httpx.ASGITransport(app=hub)
    async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as http:
        client = GraphQLClient(http, {Role.WIDGET: token})
        # Warm: the key and the survey are cached, so what is stalled is the call's own work.
        assert (await client.ok(ELIGIBILITY, {"user": USER}, Role.WIDGET))["surveyEligibility"]
        yield client


async def show(gql: GraphQLClient) -> str:
    shown = (await gql.ok(SHOW, {"user": USER}, Role.WIDGET))["recordDisplay"]
    assert shown["__typename"] == "DisplayRecorded", shown
    display_id: str = shown["displayId"]
    return display_id


def code_of(body: dict[str, Any]) -> str | None:
    errors = body.get("errors")
    return str(errors[0]["extensions"]["code"]) if errors else None


async def test_a_stalled_read_answers_unavailable_within_its_time_limit(
    gql: GraphQLClient, control: AsyncMongoClient[dict[str, Any]]
) -> None:
    await stall(control, "find")

    async with asyncio.timeout(DB_TIMEOUT_MS / 1000 + MARGIN_SECONDS):
        body = await gql.raw(ELIGIBILITY, {"user": USER}, Role.WIDGET)

    assert code_of(body) == "UNAVAILABLE"
    assert "Traceback" not in str(body)
    await recover(control)
    answer = await gql.ok(ELIGIBILITY, {"user": USER}, Role.WIDGET)
    assert answer["surveyEligibility"]["eligible"] is True


async def test_the_server_is_told_the_time_limit_too(
    gql: GraphQLClient, control: AsyncMongoClient[dict[str, Any]]
) -> None:
    # Every operation that carries a time limit (maxTimeMS) runs out of it at once.
    await control.admin.command("configureFailPoint", "maxTimeAlwaysTimeOut", mode="alwaysOn")

    body = await gql.raw(ELIGIBILITY, {"user": USER}, Role.WIDGET)

    assert code_of(body) == "UNAVAILABLE"
    await control.admin.command("configureFailPoint", "maxTimeAlwaysTimeOut", mode="off")
    answer = await gql.ok(ELIGIBILITY, {"user": USER}, Role.WIDGET)
    assert answer["surveyEligibility"]["eligible"] is True


async def test_a_write_keeps_its_time_limit_in_all_its_reads_included(
    gql: GraphQLClient, control: AsyncMongoClient[dict[str, Any]]
) -> None:
    display_id = await show(gql)
    # Each command alone stays within HUB_DB_TIMEOUT_MS; the write's together (in its
    # transaction, the display read, then its batch of writes) take longer than
    # HUB_WRITE_TIMEOUT_MS.
    await stall(control, ["find", "bulkWrite"], block_ms=DB_TIMEOUT_MS * 3 // 4)

    async with asyncio.timeout(WRITE_TIMEOUT_MS / 1000 + MARGIN_SECONDS):
        body = await gql.raw(SCORE, {"id": display_id}, Role.WIDGET)

    assert code_of(body) == "UNAVAILABLE"
    await recover(control)
    retried = await gql.ok(SCORE, {"id": display_id}, Role.WIDGET)
    assert retried["submitScore"]["__typename"] == "ScoreSubmitted"


async def test_a_write_that_gave_up_does_not_hold_back_its_retry(
    gql: GraphQLClient, control: AsyncMongoClient[dict[str, Any]]
) -> None:
    display_id = await show(gql)
    # The score's transaction has read the display when its batch of writes stalls.
    await stall(control, "bulkWrite", mode={"times": 1})

    async with asyncio.timeout(WRITE_TIMEOUT_MS / 1000 + MARGIN_SECONDS):
        given_up = await gql.raw(SCORE, {"id": display_id}, Role.WIDGET)
    assert code_of(given_up) == "UNAVAILABLE"

    # The database answers again (the stall held one command): the first retry succeeds.
    attempts: list[str | None] = []
    async with asyncio.timeout(5 * (WRITE_TIMEOUT_MS / 1000) + MARGIN_SECONDS):
        while not attempts or attempts[-1] is not None:
            body = await gql.raw(SCORE, {"id": display_id}, Role.WIDGET)
            attempts.append(code_of(body))
            if attempts[-1] is None:
                assert body["data"]["submitScore"]["__typename"] == "ScoreSubmitted", body
            if len(attempts) == 5:
                break
    assert attempts == [None]
