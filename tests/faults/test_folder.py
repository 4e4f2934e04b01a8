"""The rollup folder cut off mid-batch (the database killed, the folder cancelled, a
command failing) and two processes folding at once: no change is folded twice or
lost, and once the folder has drained every figure equals the raw count.

The batch is held mid-way with SecantusDB's `configureFailPoint` (started with
`--enable-test-commands`), which stalls or fails the batch's `delete`: by then the
batch has read its changes and added them to the rollups in its transaction."""

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

from hub.clock import FrozenClock
from hub.db import Database, EmbeddedDatabase, cancel_and_wait
from hub.models.lease import JobLease
from hub.models.rollup import RollupChange
from hub.services import Services
from hub.services.analytics.criteria import AnalyticsFilter
from hub.services.analytics.folder import FOLD_LEASE
from hub.settings import Settings
from tests.support.failpoints import fail_once, recover, stall
from tests.support.rollups import figures, raw_figures, rollup_rows
from tests.support.waiting import eventually
from tests.support.widget import Widget

# A hang guard on a busy machine, not a speed claim.
MARGIN_SECONDS = 10.0


async def stall_the_fold(control: AsyncMongoClient[dict[str, Any]]) -> None:
    await stall(control, "delete")


async def folding(services: Services) -> bool:
    lease = await JobLease.get(FOLD_LEASE)
    return lease is not None and lease.owner == services.leases.owner


async def assert_exact(services: Services) -> None:
    """Every figure equals the raw count, nothing waits, and the rollups are what a
    rebuild from the raw records makes."""
    assert await figures(services.analytics) == await raw_figures()
    assert await RollupChange.count() == 0
    kept = await rollup_rows()
    await services.analytics.rebuild()
    assert await rollup_rows() == kept


async def test_a_batch_cut_off_by_a_killed_database_is_folded_once_after(
    hub: Starlette, server: EmbeddedDatabase, control: AsyncMongoClient[dict[str, Any]]
) -> None:
    services: Services = hub.state.services
    widget = Widget(services)
    for number in range(8):
        await widget.answer(number, comment="Why." if number % 2 else None)
    before = await raw_figures()
    await stall_the_fold(control)

    fold = asyncio.create_task(services.analytics.fold())
    await eventually(lambda: folding(services))
    assert server.pid is not None
    os.kill(server.pid, signal.SIGKILL)
    server.relaunch()
    await server.wait_ready()
    # The batch is retried once the database is back, or given up: either way once.
    with contextlib.suppress(PyMongoError):
        await fold

    assert await figures(services.analytics) == before
    await services.analytics.fold()
    await assert_exact(services)


async def test_a_folder_cancelled_mid_batch_folds_nothing_twice(
    hub: Starlette, control: AsyncMongoClient[dict[str, Any]]
) -> None:
    services: Services = hub.state.services
    widget = Widget(services)
    for number in range(6):
        await widget.answer(number, comment="Why." if number % 3 else None)
    await stall_the_fold(control)

    task = asyncio.create_task(services.analytics.folder.run_forever())
    await eventually(lambda: folding(services))
    await cancel_and_wait(task)
    await recover(control)
    during = await figures(services.analytics)

    assert during == await raw_figures()
    await eventually(lambda: _drained(services), within=90.0)
    await assert_exact(services)


async def _drained(services: Services) -> bool:
    with contextlib.suppress(PyMongoError):
        await services.analytics.fold()
    return await RollupChange.count() == 0


async def test_a_failing_batch_folds_nothing_and_the_next_one_everything(
    hub: Starlette, control: AsyncMongoClient[dict[str, Any]]
) -> None:
    services: Services = hub.state.services
    widget = Widget(services)
    for number in range(5):
        await widget.answer(number)
    await fail_once(control, "delete")

    with pytest.raises(PyMongoError):
        await services.analytics.fold()
    unfolded = await rollup_rows()
    folded = await services.analytics.fold()

    assert unfolded == {"rollups_daily": [], "rollups_hourly": [], "rollups_slots": []}
    assert folded == 15
    await assert_exact(services)


@pytest.fixture
def two_processes(settings: Settings, clock: FrozenClock) -> list[Services]:
    """The services of two hub processes on one database: two lease owners, two
    folders."""
    fast = settings.model_copy(update={"rollup_fold_interval_ms": 10})
    return [Services.build(fast, clock) for _ in range(2)]


async def test_two_processes_folding_at_once_fold_each_change_once(
    two_processes: list[Services], database: Database
) -> None:
    first, second = two_processes
    folders = [
        asyncio.create_task(services.analytics.folder.run_forever()) for services in two_processes
    ]
    widgets = [Widget(first), Widget(second)]
    await widgets[0].answer(10)
    widgets[1].surveys.add("nps-main")
    widgets[1].people = 1000

    async def write(widget: Widget) -> None:
        for number in range(15):
            await widget.answer(number % 11, comment="Why." if number % 2 else None)

    await asyncio.gather(*(write(widget) for widget in widgets))
    for services in two_processes:
        services.analytics.folder.stop()
    for task in folders:
        await task
    await first.analytics.fold()

    await assert_exact(first)
    assert await figures(second.analytics) == await raw_figures()


async def test_figures_from_a_stalled_database_fail_within_the_time_limit(
    hub: Starlette, control: AsyncMongoClient[dict[str, Any]]
) -> None:
    services: Services = hub.state.services
    await Widget(services).answer(9)
    await stall(control, "aggregate")

    # Not retried as a transaction for two minutes: twice the operation limit in all.
    with pytest.raises(PyMongoError) as failure:
        await asyncio.wait_for(
            services.analytics.summary(AnalyticsFilter()),
            2 * services.settings.db_timeout_ms / 1000 + MARGIN_SECONDS,
        )

    assert failure.value.timeout
