"""Several hub processes against one database: each follow-up is posted to Slack once,
each scheduled job runs once per period, and a process that stops hands its leases
back so another takes over at once."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from starlette.applications import Starlette

from bots.slack.blocks import follow_up_ids_in
from hub.clock import FrozenClock
from hub.db import Database, init_models
from hub.models.lease import JobLease
from hub.models.outbox import OutboxMessage, OutboxStatus
from hub.server.app import create_app
from hub.services import Services
from hub.services.followups.followups import POST
from hub.settings import Settings
from tests.support.slack import FakeSlack
from tests.support.waiting import eventually
from tests.support.widget import Widget

# Subprocesses, real servers, restarts or fuzzing: not in `make test-fast`.
pytestmark = pytest.mark.slow


@contextlib.asynccontextmanager
async def running(app: Starlette, database: Database) -> AsyncIterator[Services]:
    """Run an app's lifespan. Beanie binds the models of a Python process to the last
    client opened, so after one app of several in this test process stops, the models
    are bound to the test's own client again (separate processes each have their own)."""
    try:
        async with app.router.lifespan_context(app):
            yield app.state.services
    finally:
        await init_models(database)


async def test_two_processes_post_each_follow_up_once(
    ops_settings: Settings, clock: FrozenClock, slack: FakeSlack, database: Database
) -> None:
    # Given two hub processes sharing the database and the Slack workspace
    first, second = create_app(ops_settings, clock), create_app(ops_settings, clock)
    slack.slow_down("chat.postMessage", 0.02)  # so the two really overlap
    async with running(first, database) as services, running(second, database):
        await services.routing.set_defaults("CROUTED", "CESCALATE")
        widget = Widget(services)

        # When 30 comments come in (detractors go to two channels)
        for number in range(30):
            await widget.answer(3 if number % 3 == 0 else 8)

        async def all_delivered() -> bool:
            pending = await OutboxMessage.find(
                {"kind": POST, "status": {"$ne": OutboxStatus.DELIVERED.value}}
            ).count()
            return pending == 0

        await eventually(all_delivered, within=30)

    # Then every follow-up was posted once per channel, by one process or the other
    posted: list[tuple[str, str]] = []
    for call in slack.calls_to("chat.postMessage"):
        _, about = follow_up_ids_in(call.args.get("metadata"))
        posted += [(str(call.args["channel"]), follow_up) for follow_up in about]
    assert len(posted) == 30 + 10
    assert len(set(posted)) == len(posted)
    owners = {m.lease_owner for m in await OutboxMessage.find_all().to_list()}
    assert owners == {None}


async def test_a_scheduled_job_runs_once_per_period_in_two_processes(
    ops_settings: Settings, clock: FrozenClock, database: Database
) -> None:
    runs: list[int] = []
    apps = [create_app(ops_settings, clock) for _ in range(2)]
    for number, app in enumerate(apps):

        async def job(number: int = number) -> None:
            runs.append(number)

        app.state.services.scheduler.every("digest-cleanup", timedelta(hours=1), job)

    async with running(apps[0], database), running(apps[1], database):
        await eventually(lambda: len(runs) == 1)
        await asyncio.sleep(0.5)  # ten more polls of each process
        assert len(runs) == 1

        clock.advance(timedelta(hours=1))
        await eventually(lambda: len(runs) == 2)
        await asyncio.sleep(0.5)
        assert len(runs) == 2


async def test_a_stopping_process_hands_its_leases_back(
    ops_settings: Settings, clock: FrozenClock, slack: FakeSlack, database: Database
) -> None:
    settings = ops_settings.model_copy(update={"background_workers": False})
    app = create_app(settings, clock)
    async with running(app, database) as services:
        await services.routing.set_defaults("CROUTED", None)
        await Widget(services).answer(8)
        # A delivery in hand and a job running when SIGTERM comes
        message = await services.outbox.claim(services.dispatcher.owner, [POST])
        assert message is not None
        assert await services.leases.acquire("retention", timedelta(minutes=5)) is not None

    released = await OutboxMessage.get(message.id)
    assert released is not None
    assert (released.status, released.lease_owner) == (OutboxStatus.PENDING, None)
    lease = await JobLease.get("retention")
    assert lease is not None and lease.owner is None

    # Another process takes over at once, without waiting for the lease to expire
    other = create_app(settings, clock)
    async with running(other, database) as services:
        assert await services.dispatcher.run_once() == 1
    assert len(slack.calls_to("chat.postMessage")) == 1
