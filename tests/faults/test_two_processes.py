"""Two hub processes against one database: of simultaneous claims made through both,
exactly one wins, and every follow-up is posted to Slack once although both
dispatchers run at the same time."""

from __future__ import annotations

import asyncio
import collections
import contextlib
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from starlette.applications import Starlette

from bots.slack import blocks
from hub.clock import FrozenClock
from hub.db import Database
from hub.models.common import Channel, Role
from hub.models.followup import FollowUp, FollowUpStatus
from hub.server.app import create_app
from hub.services import Services
from hub.settings import Settings
from tests.factories import context, make_survey, person
from tests.support.slack import FakeSlack

CLAIM = """
mutation($id: ID!) {
  claimFollowUp(id: $id) { __typename ... on UserError { code } }
}
"""


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    fake = FakeSlack()
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
async def two_hubs(
    mongo_uri: str, database: Database, tmp_path: Path, clock: FrozenClock, slack: FakeSlack
) -> AsyncIterator[list[Starlette]]:
    hubs: list[Starlette] = []
    async with contextlib.AsyncExitStack() as stack:
        for number in range(2):
            settings = Settings(
                _env_file=None,
                mongodb_uri=SecretStr(mongo_uri),
                db_name=database.name,
                data_dir=tmp_path / f"data-{number}",
                slack_bot_token=SecretStr("xoxb-test"),
                slack_api_url=slack.api_url,
                background_workers=False,
                rate_limit_per_address="",
                rate_limit_per_token="",
            )
            hub = create_app(settings, clock)
            await stack.enter_async_context(hub.router.lifespan_context(hub))
            hubs.append(hub)
        yield hubs


async def comments(services: Services, count: int) -> None:
    await make_survey(services)
    await services.routing.set_defaults("CSHARED", None)
    for number in range(count):
        display = await services.responses.record_display(
            "nps-main", person(number), Channel.IN_APP_WEB, context(), "en"
        )
        response = await services.responses.submit_score(str(display.id), 2)
        await services.responses.submit_comment(str(response.id), f"Problem {number}")


async def test_claims_through_two_processes_have_one_winner(two_hubs: list[Starlette]) -> None:
    first: Services = two_hubs[0].state.services
    await comments(first, 1)
    follow_up = await FollowUp.find_one()
    assert follow_up is not None
    agents: list[tuple[httpx.AsyncClient, str]] = []
    async with contextlib.AsyncExitStack() as stack:
        for number in range(20):
            hub = two_hubs[number % 2]
            _, token = await hub.state.services.keys.create(Role.AGENT, f"agent {number}")
            client = await stack.enter_async_context(
                httpx.AsyncClient(transport=httpx.ASGITransport(app=hub), base_url="http://hub")
            )
            agents.append((client, token))

        async def claim(client: httpx.AsyncClient, token: str) -> dict[str, Any]:
            answer = await client.post(
                "/graphql",
                json={"query": CLAIM, "variables": {"id": str(follow_up.id)}},
                headers={"Authorization": f"Bearer {token}"},
            )
            result: dict[str, Any] = answer.json()["data"]["claimFollowUp"]
            return result

        results = await asyncio.gather(*(claim(client, token) for client, token in agents))

    kinds = collections.Counter(result.get("code") or result["__typename"] for result in results)
    assert kinds == {"FollowUp": 1, "ALREADY_CLAIMED": 19}
    claimed = await FollowUp.get(follow_up.id)
    assert claimed is not None and claimed.status is FollowUpStatus.CLAIMED


async def test_two_dispatchers_post_each_follow_up_once(
    two_hubs: list[Starlette], slack: FakeSlack
) -> None:
    await comments(two_hubs[0].state.services, 12)

    await asyncio.gather(*(hub.state.services.dispatcher.run_once() for hub in two_hubs))
    await asyncio.gather(*(hub.state.services.dispatcher.run_once() for hub in two_hubs))

    seen: collections.Counter[str] = collections.Counter()
    for message in slack.channel_messages("CSHARED"):
        seen.update(blocks.follow_up_ids_in(message.metadata)[1])
    expected = {str(f.id) for f in await FollowUp.find_all().to_list()}
    assert set(seen) == expected
    assert all(count == 1 for count in seen.values())


async def test_two_dispatchers_share_a_busy_backlog_through_429s(
    two_hubs: list[Starlette], slack: FakeSlack, clock: FrozenClock
) -> None:
    # Given a backlog of digests' worth of comments, and Slack answering 429 at first
    first: Services = two_hubs[0].state.services
    await comments(first, 90)
    slack.fail("chat.postMessage", 429, times=2, retry_after=20)

    # When both dispatchers run at once, batch after batch, until nothing waits
    for _ in range(10):
        await asyncio.gather(*(hub.state.services.dispatcher.run_once() for hub in two_hubs))
        if not await first.outbox.pending_count():
            break
        clock.advance(timedelta(seconds=30))

    # Then every follow-up is posted exactly once, in digests, and each 429 cost one call
    seen: collections.Counter[str] = collections.Counter()
    posted = slack.channel_messages("CSHARED")
    for message in posted:
        seen.update(blocks.follow_up_ids_in(message.metadata)[1])
    expected = {str(f.id) for f in await FollowUp.find_all().to_list()}
    assert set(seen) == expected
    assert all(count == 1 for count in seen.values())
    assert len(posted) < len(expected)  # digests, not one post per comment
    assert len(slack.calls_to("chat.postMessage")) == len(posted) + 2
    assert await first.outbox.pending_count() == 0
