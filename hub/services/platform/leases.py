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
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError, PyMongoError

from hub.clock import Clock
from hub.db import cancel_and_wait
from hub.models.lease import JobLease

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
        query: dict[str, Any] = {
            "_id": name,
            "$or": [{"owner": self.owner}, {"owner": None}, {"expires_at": {"$lte": now}}],
        }
        if due_only:
            query["next_run_at"] = {"$lte": now}
        collection = JobLease.get_pymongo_collection()
        try:
            raw = await collection.find_one_and_update(
                query,
                {
                    "$set": {"owner": self.owner, "expires_at": now + ttl},
                    "$setOnInsert": {"next_run_at": now, "runs": 0},
                },
                upsert=True,
                return_document=ReturnDocument.AFTER,
            )
        except DuplicateKeyError:
            return None  # it exists and is not ours to take: the upsert's insert lost
        return JobLease.model_validate(raw) if raw else None

    async def renew(self, name: str, ttl: timedelta) -> bool:
        """Extend a lease we hold; False if we lost it."""
        result = await JobLease.get_pymongo_collection().update_one(
            {"_id": name, "owner": self.owner},
            {"$set": {"expires_at": self.clock.now() + ttl}},
        )
        return result.matched_count == 1

    async def release(self, name: str, extra: dict[str, Any] | None = None) -> bool:
        """Give a lease up (only if we hold it), setting `extra` fields with it."""
        result = await JobLease.get_pymongo_collection().update_one(
            {"_id": name, "owner": self.owner},
            {"$set": {"owner": None, "expires_at": self.clock.now(), **(extra or {})}},
        )
        return result.matched_count == 1

    async def release_all(self) -> int:
        """Give up every lease this owner holds (at shutdown)."""
        result = await JobLease.get_pymongo_collection().update_many(
            {"owner": self.owner}, {"$set": {"owner": None, "expires_at": self.clock.now()}}
        )
        return result.modified_count


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
        renewing = asyncio.create_task(self._keep_renewed(job.name))
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
        await JobLease.get_pymongo_collection().update_one({"_id": job.name}, {"$inc": {"runs": 1}})
        log.info("scheduled job %s ran", job.name, extra={"job": job.name, "error": error})

    async def _keep_renewed(self, name: str) -> None:
        while True:
            await asyncio.sleep(self.ttl.total_seconds() / 3)
            if not await self.leases.renew(name, self.ttl):
                log.warning("lost the lease of job %s while it ran", name)
                return

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
