"""Background workers that work off what waits for them in batches, off the request
path: the rollup folder and the theme tagger.

Every hub process with background workers runs each of them; a job lease lets one
process work at a time, and each batch renews that lease inside its transaction, so
a worker that lost the lease (it stalled past its time) cannot commit a batch. A
worker is woken by the writes of its own process and then waits `interval_seconds`
more, so the writes of that moment go in one batch; it looks anyway every
`IDLE_POLL_SECONDS` for what other processes wrote.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from abc import ABC, abstractmethod
from collections.abc import Callable
from datetime import timedelta
from typing import ClassVar

from pymongo.errors import OperationFailure, PyMongoError

from hub.services.platform.leases import JobLeases

log = logging.getLogger(__name__)

# How often an idle worker looks for work no write of its own process woke it for.
IDLE_POLL_SECONDS = 10.0
WRITE_CONFLICT = 112


class LeaseLost(Exception):
    """The worker's lease went to another owner while a batch ran: the batch is undone."""


async def try_acquire(leases: JobLeases, lease: str, ttl: timedelta) -> bool:
    """Take `lease` for `ttl`; False while another owner holds it, or while a batch
    renewing it has not committed yet (a write conflict)."""
    try:
        return await leases.acquire(lease, ttl) is not None
    except OperationFailure as error:
        if error.code == WRITE_CONFLICT:
            return False
        raise


class BatchWorker(ABC):
    """Works off what waits, a batch at a time, under `lease`, while it runs."""

    lease: ClassVar[str]
    lease_ttl: ClassVar[timedelta] = timedelta(minutes=1)
    # What the logs call its work when a batch fails ("rollups folded").
    work_done: ClassVar[str]
    # Failures of a batch that a later batch may not meet: logged, then retried.
    transient: ClassVar[tuple[type[Exception], ...]] = (PyMongoError,)

    def __init__(self, leases: JobLeases, interval_seconds: float, batch: int) -> None:
        self.leases = leases
        self.interval_seconds = interval_seconds
        self.batch = batch
        self._stop = asyncio.Event()
        self._wake = asyncio.Event()

    @abstractmethod
    async def waiting(self) -> bool:
        """Whether anything waits (one cheap read, without the lease)."""

    @abstractmethod
    async def one_batch(self) -> int:
        """Work off up to `batch` in one transaction that renews the lease (else
        `LeaseLost`); how many. The caller holds the lease."""

    async def drain(self) -> int:
        """Work until nothing waits; how many were done. Does nothing while another
        process holds the lease."""
        return await self._drain(lambda: False) or 0

    async def _drain(self, stopping: Callable[[], bool]) -> int | None:
        """Work until nothing waits or `stopping()`; how many, or None when another
        process holds the lease."""
        if not await try_acquire(self.leases, self.lease, self.lease_ttl):
            return None
        total = 0
        try:
            while not stopping():
                done = await self.one_batch()
                total += done
                if done < self.batch:
                    break
        finally:
            with contextlib.suppress(PyMongoError):  # it expires on its own
                await self.leases.release(self.lease)
        return total

    def wake(self) -> None:
        """A write of this process committed work for it: work soon."""
        self._wake.set()

    async def run_forever(self) -> None:
        """Until stopped (between two batches): drain, then sleep until a write of
        this process wakes the worker, and `interval_seconds` more; look anyway every
        `IDLE_POLL_SECONDS`, for work that other processes wrote and left."""
        while not self._stop.is_set():
            busy = False
            try:
                if await self.waiting():
                    busy = await self._drain(self._stop.is_set) is None
            except self.transient as error:
                log.warning(
                    "%s: not %s (%s); retrying", self.lease, self.work_done, type(error).__name__
                )
            except LeaseLost:
                log.warning("%s: lease lost during a batch; the batch was undone", self.lease)
            # Another process working may have missed this process's last writes.
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
