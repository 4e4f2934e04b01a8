"""Re-tag jobs: after a theme is created, changed or deleted, the past comments are
tagged again in the background, with their progress visible (`themeJobs`).

The change and its job are written in one transaction (`queue_retag`), and the job
supersedes every older job still queued or running, since it walks every comment
again: two walks never run at once. A runner in every hub process with background
workers takes the newest job under the `themes.retag` lease and walks the commented
responses in id order, a chunk per transaction: each chunk writes the tags that
changed, calls the `ThemeTagListener`s, renews the lease (so a runner that lost it
cannot commit), and records the job's progress with the id of the last response it
walked. After a crash the next runner goes on from there. The walk stops at the
newest response when it started; newer comments are the tagger's, which reads the
themes in each batch. Comments that wait for the tagger are tagged by whichever of
the two gets them first: each reads them in the transaction that writes them, and a
write committed in between conflicts.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import PyMongoError

from hub.clock import Clock
from hub.db import in_transaction
from hub.models.theme import CatalogTheme, ThemeChange, ThemeJob, ThemeJobStatus
from hub.services.platform.batch_worker import IDLE_POLL_SECONDS, LeaseLost, try_acquire
from hub.services.platform.leases import JobLeases
from hub.services.themes.listeners import ThemeTagListener
from hub.services.themes.matching import CompiledTheme
from hub.services.themes.stores import theme_jobs
from hub.services.themes.stores import themes as theme_store
from hub.services.themes.tagging import MAX_MOVES, StateMoved, write_tags
from hub.services.widget.stores import responses

if TYPE_CHECKING:
    from hub.services.themes.catalog import ThemeCatalog

log = logging.getLogger(__name__)

RETAG_LEASE = "themes.retag"
CHUNK = 200
LEASE_TTL = timedelta(minutes=1)
MAX_LISTED = 100


class Superseded(Exception):
    """A newer job took over while a chunk ran: the chunk is undone."""


async def queue_retag(
    theme: str, change: ThemeChange, now: datetime, session: AsyncClientSession
) -> ThemeJob:
    """Queue the job that applies the themes as `session` sees them to every past
    comment, superseding older jobs; in the transaction of the change."""
    catalog = [
        CatalogTheme(key=raw["key"], version=raw["version"])
        for raw in await theme_store.every(session)
    ]
    await theme_jobs.supersede_active(now, session)
    job = ThemeJob(theme=theme, change=change, catalog=catalog, created_at=now)
    await job.insert(session=session)
    return job


class ThemeJobRunner:
    """Runs the newest re-tag job, a chunk at a time, while it runs."""

    def __init__(
        self,
        clock: Clock,
        leases: JobLeases,
        catalog: ThemeCatalog,
        listeners: list[ThemeTagListener] | None = None,
        chunk: int = CHUNK,
    ) -> None:
        self.clock = clock
        self.leases = leases
        self.catalog = catalog
        # Kept as given: the tagger and the job runner share one list.
        self.listeners = listeners if listeners is not None else []
        self.chunk = chunk
        self._stop = asyncio.Event()
        self._wake = asyncio.Event()

    async def jobs(self, first: int = 10) -> list[ThemeJob]:
        """The newest jobs first, at most `first` (and at most MAX_LISTED)."""
        limit = min(max(first, 0), MAX_LISTED)
        if limit == 0:
            return []
        return [ThemeJob.model_validate(raw) for raw in await theme_jobs.newest(limit)]

    async def run_pending(self) -> ThemeJob | None:
        """Run the newest queued or running job to its end (or until stopped or
        superseded); the job as it ended, or None when there was none or another
        process runs it."""
        if not await try_acquire(self.leases, RETAG_LEASE, LEASE_TTL):
            return None
        ran: ThemeJob | None = None
        try:
            while not self._stop.is_set():
                raw = await theme_jobs.newest_active()
                if raw is None:
                    break
                ran = await self._run(ThemeJob.model_validate(raw))
        finally:
            with contextlib.suppress(PyMongoError):  # it expires on its own
                await self.leases.release(RETAG_LEASE)
        return ran

    async def _run(self, job: ThemeJob) -> ThemeJob:
        if job.status is ThemeJobStatus.QUEUED:
            until = await responses.newest_id()
            total = 0 if until is None else await responses.count_commented_until(until)
            started = await theme_jobs.start(job.id, until, total, self.clock.now())
            if started is None:  # superseded meanwhile
                return job
            job = ThemeJob.model_validate(started)
        themes = await self.catalog.current()
        try:
            while not self._stop.is_set():
                done = await self._chunk(job, themes)
                if done is not None:
                    job.processed, job.changed, job.last_response_id = done
                if done is None or job.last_response_id == job.until_response_id:
                    await self._finish(job)
                    break
        except Superseded:
            log.info("re-tag job %s superseded by a newer one", job.id)
        except (PyMongoError, LeaseLost):
            raise  # the job stays running: the next run goes on where it stopped
        except Exception as failure:
            log.exception("re-tag job %s failed", job.id)
            now = self.clock.now()
            await theme_jobs.finish(job.id, ThemeJobStatus.FAILED, now, type(failure).__name__)
            job.status, job.finished_at = ThemeJobStatus.FAILED, now
        return job

    async def _finish(self, job: ThemeJob) -> None:
        now = self.clock.now()
        await theme_jobs.finish(job.id, ThemeJobStatus.DONE, now, total=job.processed)
        job.status, job.total, job.finished_at = ThemeJobStatus.DONE, job.processed, now
        log.info(
            "re-tag job %s done: %d comment(s), %d changed", job.id, job.processed, job.changed
        )

    async def _chunk(
        self, job: ThemeJob, themes: Sequence[CompiledTheme]
    ) -> tuple[int, int, Any] | None:
        """Re-tag one chunk in one transaction; the job's progress after it, or None
        when nothing was left to walk."""

        async def work(session: AsyncClientSession) -> tuple[int, int, Any] | None:
            if not await self.leases.renew(RETAG_LEASE, LEASE_TTL, session):
                raise LeaseLost
            if await theme_jobs.status_of(job.id, session) != ThemeJobStatus.RUNNING.value:
                raise Superseded
            if job.until_response_id is None:
                return None
            read = await responses.commented_chunk(
                job.until_response_id, job.last_response_id, self.chunk, session
            )
            if not read:
                return None
            tagged = await write_tags(read, themes, self.listeners, session)
            last = read[-1]["_id"] if len(read) == self.chunk else job.until_response_id
            await theme_jobs.advance(job.id, len(read), tagged.changed, last, session)
            return job.processed + len(read), job.changed + tagged.changed, last

        within = LEASE_TTL.total_seconds() / 2
        for _ in range(MAX_MOVES):
            try:
                done: tuple[int, int, Any] | None = await in_transaction(
                    responses.STORE.client(), work, within
                )
                return done
            except StateMoved:
                continue  # a response changed under the chunk: read it again
        raise StateMoved

    def wake(self) -> None:
        """A theme changed in this process: run its job soon."""
        self._wake.set()

    async def run_forever(self) -> None:
        """Until stopped: run the newest job, then sleep until a change in this process
        wakes the runner; look anyway every `IDLE_POLL_SECONDS`, for jobs other
        processes queued or left part-way."""
        while not self._stop.is_set():
            try:
                if await theme_jobs.newest_active() is not None:
                    await self.run_pending()
            except PyMongoError as error:
                log.warning("re-tag job paused (%s); retrying", type(error).__name__)
            except LeaseLost:
                log.warning("lost the re-tag lease during a chunk; the chunk was undone")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), IDLE_POLL_SECONDS)
            self._wake.clear()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
