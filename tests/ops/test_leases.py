"""Job leases: one holder at a time, taken over when the holder's lease runs out or it
lets go; scheduled jobs run once per period however many processes share the work."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from hub.clock import FrozenClock
from hub.db import Database
from hub.models.lease import JobLease
from hub.services.platform.leases import JobLeases, Scheduler

TTL = timedelta(minutes=5)


async def test_one_owner_at_a_time_until_the_lease_runs_out(
    database: Database, clock: FrozenClock
) -> None:
    first, second = JobLeases(clock, "first"), JobLeases(clock, "second")

    assert await first.acquire("retention", TTL) is not None
    assert await second.acquire("retention", TTL) is None
    assert await first.acquire("retention", TTL) is not None  # the holder renews it

    clock.advance(TTL + timedelta(seconds=1))  # the holder died without letting go
    taken = await second.acquire("retention", TTL)

    assert taken is not None and taken.owner == "second"
    assert await first.renew("retention", TTL) is False


async def test_a_released_lease_is_taken_at_once(database: Database, clock: FrozenClock) -> None:
    first, second = JobLeases(clock, "first"), JobLeases(clock, "second")
    await first.acquire("a", TTL)
    await first.acquire("b", TTL)

    assert await second.release("a") is False  # not theirs to release
    assert await first.release_all() == 2

    assert await second.acquire("a", TTL) is not None
    assert await second.acquire("b", TTL) is not None


async def test_of_many_simultaneous_takers_exactly_one_wins(
    database: Database, clock: FrozenClock
) -> None:
    takers = [JobLeases(clock, f"p{n}") for n in range(20)]

    results = await asyncio.gather(*(taker.acquire("job", TTL) for taker in takers))

    assert len([r for r in results if r is not None]) == 1


async def test_a_scheduled_job_runs_once_per_period_across_processes(
    database: Database, clock: FrozenClock
) -> None:
    runs: list[str] = []
    schedulers = []
    for name in ("host-a", "host-b", "host-c"):
        scheduler = Scheduler(JobLeases(clock, name))

        async def job(name: str = name) -> None:
            runs.append(name)
            await asyncio.sleep(0.01)

        scheduler.every("nightly", timedelta(hours=24), job)
        schedulers.append(scheduler)

    for _ in range(3):
        await asyncio.gather(*(s.run_due() for s in schedulers))
    assert len(runs) == 1

    clock.advance(timedelta(hours=23))
    await asyncio.gather(*(s.run_due() for s in schedulers))
    assert len(runs) == 1

    clock.advance(timedelta(hours=1))
    for _ in range(3):
        await asyncio.gather(*(s.run_due() for s in schedulers))
    assert len(runs) == 2

    lease = await JobLease.get("nightly")
    assert lease is not None
    assert lease.owner is None and lease.runs == 2
    assert lease.next_run_at == clock.now() + timedelta(hours=24)


async def test_a_failing_job_is_recorded_and_runs_again_next_period(
    database: Database, clock: FrozenClock
) -> None:
    attempts = 0

    async def job() -> None:
        nonlocal attempts
        attempts += 1
        raise RuntimeError("the job broke")

    scheduler = Scheduler(JobLeases(clock, "only"))
    scheduler.every("flaky", timedelta(hours=1), job)

    await scheduler.run_due()
    lease = await JobLease.get("flaky")
    assert lease is not None and lease.last_error == "RuntimeError" and lease.owner is None

    clock.advance(timedelta(hours=1))
    await scheduler.run_due()
    assert attempts == 2
