"""The theme tagger cut off mid-batch (the database killed, a command failing) and two
processes tagging at once: no comment is tagged twice or lost, and each listener is
told of each comment once.

The batch is held or failed mid-way with SecantusDB's `configureFailPoint` (started
with `--enable-test-commands`) on the listener's `insert`: by then the batch has read
its comments and written their tags in its transaction."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from typing import Any

import pytest
from pymongo import AsyncMongoClient
from pymongo.errors import PyMongoError
from starlette.applications import Starlette

from hub.db import EmbeddedDatabase
from hub.models.lease import JobLease
from hub.models.response import Response
from hub.services import Services
from hub.services.platform.batch_worker import LeaseLost
from hub.services.themes.tagger import TAG_LEASE
from tests.support.failpoints import fail_once, stall
from tests.support.themes import BILLING, RecordingListener, recorded
from tests.support.waiting import eventually
from tests.support.widget import Widget


async def commented(services: Services, count: int) -> list[Response]:
    await services.themes.create(BILLING)
    services.tagger.listeners.append(RecordingListener())
    widget = Widget(services)
    answered = [await widget.answer(n % 11, comment=f"Invoice {n}.") for n in range(count)]
    await recorded()  # the listener's collection exists before a transaction writes it
    return answered


async def assert_tagged_once(answered: list[Response]) -> None:
    for response in answered:
        found = await Response.get(response.id)
        assert found is not None and not found.themes_pending
        assert [tag.theme for tag in found.themes] == ["billing"]
    calls = await recorded()
    assert sorted(str(c["response"]) for c in calls) == sorted(str(r.id) for r in answered)


async def tagging(services: Services) -> bool:
    lease = await JobLease.get(TAG_LEASE)
    return lease is not None and lease.owner == services.leases.owner


async def test_a_batch_cut_off_by_a_killed_database_is_tagged_once_after(
    hub: Starlette, server: EmbeddedDatabase, control: AsyncMongoClient[dict[str, Any]]
) -> None:
    services: Services = hub.state.services
    answered = await commented(services, 6)
    await stall(control, "insert")

    tag = asyncio.create_task(services.tagger.drain())
    await eventually(lambda: tagging(services))
    assert server.pid is not None
    os.kill(server.pid, signal.SIGKILL)
    server.relaunch()
    await server.wait_ready()
    # The batch is retried once the database is back, or given up: either way once.
    with contextlib.suppress(PyMongoError):
        await tag
    await eventually(lambda: _drained(services), within=90.0)

    await assert_tagged_once(answered)


async def _drained(services: Services) -> bool:
    # While the process's own tagger runs too, a drain can see the lease go back (the
    # tagger's batch ended): that drain is undone, and the count below decides.
    with contextlib.suppress(PyMongoError, LeaseLost):
        await services.tagger.drain()
    return await Response.find({"themes_pending": True}).count() == 0


async def test_a_failing_batch_tags_nothing_and_the_next_one_everything(
    hub: Starlette, control: AsyncMongoClient[dict[str, Any]]
) -> None:
    services: Services = hub.state.services
    answered = await commented(services, 5)
    await fail_once(control, "insert")

    with pytest.raises(PyMongoError):
        await services.tagger.drain()
    waiting = await Response.find({"themes_pending": True}).count()
    tagged = await services.tagger.drain()

    assert (waiting, tagged) == (5, 5)
    await assert_tagged_once(answered)


async def test_two_processes_tagging_at_once_tag_each_comment_once(hub: Starlette) -> None:
    first: Services = hub.state.services
    second = Services.build(first.settings, first.clock)
    answered = await commented(first, 2)
    second.tagger.listeners.append(RecordingListener())
    for services in (first, second):
        services.tagger.interval_seconds = 0.01
        services.tagger.batch = 3
    taggers = [asyncio.create_task(s.tagger.run_forever()) for s in (first, second)]
    widgets = [Widget(first), Widget(second)]
    for number, widget in enumerate(widgets, start=1):
        widget.surveys.add("nps-main")
        widget.people = 1000 * number

    async def write(widget: Widget, services: Services) -> None:
        for number in range(12):
            answered.append(await widget.answer(number % 11, comment=f"An invoice {number}."))

    await asyncio.gather(*(write(w, s) for w, s in zip(widgets, (first, second), strict=True)))
    await eventually(lambda: _drained(first), within=60.0)
    for services in (first, second):
        services.tagger.stop()
    for task in taggers:
        await task

    await assert_tagged_once(answered)
