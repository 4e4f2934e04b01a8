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
import time
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

from pymongo.asynchronous.client_session import AsyncClientSession

from hub.db import cancel_and_wait, in_transaction
from hub.errors import Conflict, ErrorCode
from hub.models.theme_rollup import THEME_DIMENSIONS
from hub.services.analytics.grains import GRAINS
from hub.services.analytics.rollups import rollup_documents
from hub.services.analytics.stores import rollup_changes, rollups
from hub.services.analytics.theme_rollups import ChangeTables
from hub.services.platform.batch_worker import BatchWorker, LeaseLost, try_acquire
from hub.services.platform.leases import JobLeases, keep_renewed

FOLD_LEASE = "rollups.fold"
BATCH = 500
LEASE_TTL = timedelta(minutes=1)
# How long a rebuild waits for a batch under way to end before it says folding runs.
PAUSE_WAIT_SECONDS = 30.0


class RollupFolder(BatchWorker):
    """Folds rollup changes into the rollups, a batch at a time, while it runs."""

    lease = FOLD_LEASE
    lease_ttl = LEASE_TTL
    work_done = "rollups folded"

    def __init__(
        self, leases: JobLeases, interval_seconds: float = 0.5, batch: int = BATCH
    ) -> None:
        super().__init__(leases, interval_seconds, batch)

    async def waiting(self) -> bool:
        return await rollup_changes.waiting()

    async def one_batch(self) -> int:
        return await self.fold_batch()

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

    @contextlib.asynccontextmanager
    async def paused(self, wait_seconds: float = PAUSE_WAIT_SECONDS) -> AsyncIterator[None]:
        """No process folds while the block runs: the fold lease is held under an owner
        of its own, after the batch under way (if any) has ended. Raises `Conflict`
        (ALREADY_RUNNING) if folding does not stop within `wait_seconds`."""
        run = JobLeases(self.leases.clock, f"{self.leases.owner}:{uuid.uuid4().hex}")
        deadline = time.monotonic() + wait_seconds
        while not await try_acquire(run, FOLD_LEASE, LEASE_TTL):
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
