"""The folder: adds the rollup changes that widget writes, theme tags and exclusions
record (`rollup_changes`) to the rollups and the theme rollups, in batches, off the
request path.

A batch is one transaction: it reads the oldest changes, sums them per rollup
document in memory, applies one `$inc` upsert per document and grain, and deletes
the changes it folded. The counts and the deletion commit together, so a batch that
fails or is cut off part-way (the process killed, the database gone) folds nothing,
and its changes are folded by the next batch: none twice, none lost. Which changes
are folded is what the transaction deleted, never an id or time watermark: ids are
given before their transactions commit, so a lower one may commit later.

Every hub process with background workers runs a folder; the `rollups.fold` lease
lets one fold at a time (two would only conflict and retry) and lets a rebuild stop
them all (`paused`). Each batch renews the lease inside its transaction: a folder
that lost the lease (it stalled past its time) cannot commit a batch under a rebuild.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import timedelta

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import OperationFailure, PyMongoError

from hub.db import cancel_and_wait, in_transaction
from hub.errors import Conflict, ErrorCode
from hub.models.theme_rollup import THEME_DIMENSIONS
from hub.services.analytics.grains import GRAINS
from hub.services.analytics.rollups import rollup_documents
from hub.services.analytics.stores import rollup_changes, rollups
from hub.services.analytics.theme_rollups import ChangeTables
from hub.services.platform.leases import JobLeases, keep_renewed

log = logging.getLogger(__name__)

FOLD_LEASE = "rollups.fold"
BATCH = 500
LEASE_TTL = timedelta(minutes=1)
# How long a rebuild waits for a batch under way to end before it says folding runs.
PAUSE_WAIT_SECONDS = 30.0
# How often an idle folder looks for changes no write of its own process woke it for.
IDLE_POLL_SECONDS = 10.0
WRITE_CONFLICT = 112


class LeaseLost(Exception):
    """The fold lease went to another owner while a batch ran: the batch is undone."""


class RollupFolder:
    """Folds rollup changes into the rollups, a batch at a time, while it runs."""

    def __init__(
        self, leases: JobLeases, interval_seconds: float = 0.5, batch: int = BATCH
    ) -> None:
        self.leases = leases
        self.interval_seconds = interval_seconds
        self.batch = batch
        self._stop = asyncio.Event()
        self._wake = asyncio.Event()

    async def fold_batch(self) -> int:
        """Fold up to `batch` of the oldest changes in one transaction; how many. The
        caller holds the fold lease."""

        async def work(session: AsyncClientSession) -> int:
            if not await self.leases.renew(FOLD_LEASE, LEASE_TTL, session):
                raise LeaseLost
            changes = await rollup_changes.oldest(self.batch, session)
            if not changes:
                return 0
            tables = ChangeTables()
            for change in changes:
                tables.add_change(change)
            for grain in GRAINS:
                await rollups.add_counts(
                    grain.model, rollup_documents(grain, tables.rollups[grain]), session
                )
                await rollups.add_counts(
                    grain.theme_model,
                    rollup_documents(grain, tables.themes[grain], THEME_DIMENSIONS),
                    session,
                )
            await rollup_changes.remove([change["_id"] for change in changes], session)
            return len(changes)

        # Retried (write conflicts, a database restarting) well within the lease.
        within = LEASE_TTL.total_seconds() / 2
        folded: int = await in_transaction(rollup_changes.STORE.client(), work, within)
        return folded

    async def drain(self) -> int:
        """Fold until no change is left; how many were folded. Folds nothing while
        another process folds or a rebuild runs."""
        return await self._drain(lambda: False) or 0

    async def _drain(self, stopping: Callable[[], bool]) -> int | None:
        """Fold until no change is left or `stopping()`; how many were folded, or
        None when another process folds or a rebuild runs."""
        if not await _try_acquire(self.leases):
            return None
        total = 0
        try:
            while not stopping():
                folded = await self.fold_batch()
                total += folded
                if folded < self.batch:
                    break
        finally:
            with contextlib.suppress(PyMongoError):  # it expires on its own
                await self.leases.release(FOLD_LEASE)
        return total

    def wake(self) -> None:
        """A write of this process committed a change: fold soon."""
        self._wake.set()

    async def run_forever(self) -> None:
        """Until stopped (between two batches): drain, then sleep until a write of
        this process wakes the folder, and `interval_seconds` more, so the writes of
        that moment fold in one batch; look anyway every `IDLE_POLL_SECONDS`, for
        changes that other processes wrote and left (they fold their own)."""
        while not self._stop.is_set():
            busy = False
            try:
                if await rollup_changes.waiting():
                    busy = await self._drain(self._stop.is_set) is None
            except PyMongoError as error:
                log.warning("rollups not folded (%s); retrying", type(error).__name__)
            except LeaseLost:
                log.warning("lost the fold lease during a batch; the batch was undone")
            # Another process folding may have missed this process's last writes.
            await self._sleep(self._wake, self.interval_seconds if busy else IDLE_POLL_SECONDS)
            if self._wake.is_set():
                self._wake.clear()
                await self._sleep(self._stop, self.interval_seconds)

    @staticmethod
    async def _sleep(event: asyncio.Event, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), seconds)

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()

    @contextlib.asynccontextmanager
    async def paused(self, wait_seconds: float = PAUSE_WAIT_SECONDS) -> AsyncIterator[None]:
        """No process folds while the block runs: the fold lease is held under an owner
        of its own, after the batch under way (if any) has ended. Raises `Conflict`
        (ALREADY_RUNNING) if folding does not stop within `wait_seconds`."""
        run = JobLeases(self.leases.clock, f"{self.leases.owner}:{uuid.uuid4().hex}")
        deadline = time.monotonic() + wait_seconds
        while not await _try_acquire(run):
            if time.monotonic() > deadline:
                raise Conflict(
                    ErrorCode.ALREADY_RUNNING,
                    "Rollups are being folded; try again in a moment.",
                )
            await asyncio.sleep(0.05)
        renewing = asyncio.create_task(keep_renewed(run, FOLD_LEASE, LEASE_TTL))
        try:
            yield
        finally:
            await cancel_and_wait(renewing)
            await run.drop(FOLD_LEASE)


async def _try_acquire(run: JobLeases) -> bool:
    try:
        return await run.acquire(FOLD_LEASE, LEASE_TTL) is not None
    except OperationFailure as error:
        if error.code == WRITE_CONFLICT:  # a batch renewing it has not committed yet
            return False
        raise
