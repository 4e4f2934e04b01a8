"""Job leases: background jobs that must run in exactly one hub process at a time,
however many processes or hosts share the database.

A lease is a document per job name with an owner and an expiry, taken with one atomic
`find_one_and_update`: a process gets it only when nobody holds it or the holder's
lease ran out (the holder died). A holder renews it while it works and releases it
when done or when it shuts down, so another process can take over at once.

`Scheduler` builds periodic jobs on top: a job is run when it is due and its lease is
free, and the next due time is written with the release, so a job runs once per
period in all, not once per process. To add a job (retention, say):

    services.scheduler.every("retention", timedelta(hours=24), run_retention)

before the app starts; `run_retention` is an `async def () -> None`.

`JobLeases.exclusive` serves the jobs people start (a rollup rebuild, a retention run):
one run at a time, however many processes, and a second caller is told one is running.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import DuplicateKeyError, PyMongoError

from hub.clock import Clock
from hub.db import cancel_and_wait
from hub.errors import Conflict, ErrorCode
from hub.models.lease import JobLease
from hub.services.platform.stores import job_leases

log = logging.getLogger(__name__)


class JobLeases:
    """Acquire, renew and release named leases for an owner (one per process)."""

    def __init__(self, clock: Clock, owner: str | None = None) -> None:
        self.clock = clock
        self.owner = owner or uuid.uuid4().hex

    async def acquire(self, name: str, ttl: timedelta, due_only: bool = False) -> JobLease | None:
        """Take (or renew) the lease on `name` for `ttl`; None if another owner holds
        it. With `due_only`, take it only when the job's `next_run_at` has come."""
        now = self.clock.now()
        try:
            raw = await job_leases.take(name, self.owner, now, now + ttl, due_only)
        except DuplicateKeyError:
            return None  # it exists and is not ours to take: the upsert's insert lost
        return JobLease.model_validate(raw) if raw else None

    async def renew(
        self, name: str, ttl: timedelta, session: AsyncClientSession | None = None
    ) -> bool:
        """Extend a lease we hold; False if we lost it. Renewed in a transaction (given
        its `session`), the lease fences it: should another owner take the lease
        meanwhile, the transaction conflicts or finds it lost, and can abort."""
        return await job_leases.extend(name, self.owner, self.clock.now() + ttl, session)

    async def release(self, name: str, extra: dict[str, Any] | None = None) -> bool:
        """Give a lease up (only if we hold it), setting `extra` fields with it."""
        return await job_leases.give_up(name, self.owner, self.clock.now(), extra or {})

    async def drop(self, name: str) -> bool:
        """Delete a lease we hold: a job run by hand leaves no trace once done."""
        return await job_leases.delete(name, self.owner)

    async def release_all(self) -> int:
        """Give up every lease this owner holds (at shutdown)."""
        return await job_leases.give_up_all(self.owner, self.clock.now())

    @contextlib.asynccontextmanager
    async def exclusive(
        self, name: str, job: str, ttl: timedelta = timedelta(minutes=5)
    ) -> AsyncIterator[None]:
        """Hold the lease on `name` while the block runs, renewed as it goes.

        Each run holds it under an owner of its own, so two runs exclude each other in
        one process as well as in two. While another run holds it this raises `Conflict`
        (ALREADY_RUNNING) saying `job` is running; a run whose process died frees it
        when its `ttl` runs out. The lease is deleted when the block ends."""
        run = JobLeases(self.clock, f"{self.owner}:{uuid.uuid4().hex}")
        if await run.acquire(name, ttl) is None:
            raise Conflict(
                ErrorCode.ALREADY_RUNNING,
                f"{job} is already running; try again when it has finished.",
            )
        renewing = asyncio.create_task(keep_renewed(run, name, ttl))
        try:
            yield
        finally:
            renewing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewing
            await run.drop(name)


async def keep_renewed(leases: JobLeases, name: str, ttl: timedelta) -> None:
    """Renew a held lease every third of its `ttl` until cancelled or lost."""
    while True:
        await asyncio.sleep(ttl.total_seconds() / 3)
        if not await leases.renew(name, ttl):
            log.warning("lost the lease of job %s while it ran", name)
            return


Job = Callable[[], Awaitable[None]]


@dataclass(frozen=True)
class ScheduledJob:
    name: str
    period: timedelta
    run: Job


class Scheduler:
    """Runs registered jobs once per period across all hub processes."""

    def __init__(
        self,
        leases: JobLeases,
        poll_seconds: float = 30.0,
        ttl: timedelta = timedelta(minutes=5),
    ) -> None:
        self.leases = leases
        self.poll_seconds = poll_seconds
        self.ttl = ttl
        self.jobs: dict[str, ScheduledJob] = {}
        self._stop = asyncio.Event()

    def every(self, name: str, period: timedelta, run: Job) -> None:
        self.jobs[name] = ScheduledJob(name, period, run)

    async def run_due(self) -> list[str]:
        """Run each job that is due and whose lease we get; the names of those run."""
        ran: list[str] = []
        for job in self.jobs.values():
            lease = await self.leases.acquire(job.name, self.ttl, due_only=True)
            if lease is None:
                continue
            ran.append(job.name)
            await self._run(job, lease.next_run_at)
        return ran

    async def _run(self, job: ScheduledJob, due_at: datetime) -> None:
        started = self.leases.clock.now()
        renewing = asyncio.create_task(keep_renewed(self.leases, job.name, self.ttl))
        error: str | None = None
        try:
            await job.run()
        except Exception as failure:  # a failing job is retried next period, not fatal
            error = type(failure).__name__
            log.exception("scheduled job %s failed", job.name)
        finally:
            await cancel_and_wait(renewing)
        # The next run is one period after the one that was due (not after it ran),
        # skipping periods missed while no process was up.
        next_run = due_at + job.period
        while next_run <= started:
            next_run += job.period
        await self.leases.release(
            job.name,
            {
                "next_run_at": next_run,
                "last_run_at": started,
                "last_owner": self.leases.owner,
                "last_error": error,
            },
        )
        await job_leases.count_run(job.name)
        log.info("scheduled job %s ran", job.name, extra={"job": job.name, "error": error})

    async def run_forever(self) -> None:
        while not self._stop.is_set():
            try:
                await self.run_due()
            except PyMongoError as error:
                log.warning("scheduler: database unavailable (%s)", type(error).__name__)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), self.poll_seconds)

    def stop(self) -> None:
        self._stop.set()
