"""The tagger: matches each new comment against the themes, off the request path,
within moments of the comment being written.

A comment is written with `themes_pending` set (the widget's store does it in the same
command). The tagger takes a batch of the oldest such responses in one transaction:
it reads them, reads the themes' versions (so it never tags with rules another
process changed, whatever its cache holds), writes each response's tags and unsets
its mark in one command conditioned on the response being still as read, and calls
every `ThemeTagListener` with the session. Tags, marks and what the listeners write
commit together: a batch cut off part-way tags nothing, and the next batch takes the
same responses, so each is tagged, and each listener told, once. A response erased
while it waited is not tagged (erasure clears its comment and its mark).

Like the rollup folder (hub/services/analytics/folder.py), every hub process with
background workers runs one, the `themes.tag` lease lets one tag at a time, and each
batch renews the lease inside its transaction, so a tagger that lost the lease cannot
commit a batch. It is woken by the comments this process writes (`CommentsToTag`),
waits `interval_seconds` so the comments of that moment go in one batch, and looks
anyway every `IDLE_POLL_SECONDS` for comments other processes wrote.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import timedelta

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import OperationFailure, PyMongoError

from hub.db import in_transaction
from hub.models.response import Response
from hub.services.platform.leases import JobLeases
from hub.services.themes.catalog import ThemeCatalog
from hub.services.themes.listeners import ThemeTagListener
from hub.services.themes.tagging import MAX_MOVES, StateMoved, write_tags
from hub.services.widget.responses import ResponseListener
from hub.services.widget.stores import responses

log = logging.getLogger(__name__)

TAG_LEASE = "themes.tag"
BATCH = 200
LEASE_TTL = timedelta(minutes=1)
IDLE_POLL_SECONDS = 10.0
WRITE_CONFLICT = 112


class LeaseLost(Exception):
    """The tag lease went to another owner while a batch ran: the batch is undone."""


class ThemeTagger:
    """Tags the comments waiting for it, a batch at a time, while it runs."""

    def __init__(
        self,
        leases: JobLeases,
        catalog: ThemeCatalog,
        listeners: list[ThemeTagListener] | None = None,
        interval_seconds: float = 0.5,
        batch: int = BATCH,
    ) -> None:
        self.leases = leases
        self.catalog = catalog
        # Kept as given: the tagger and the job runner share one list.
        self.listeners = listeners if listeners is not None else []
        self.interval_seconds = interval_seconds
        self.batch = batch
        self._stop = asyncio.Event()
        self._wake = asyncio.Event()

    async def tag_batch(self) -> int:
        """Tag up to `batch` of the oldest waiting comments in one transaction; how
        many. The caller holds the tag lease."""

        async def work(session: AsyncClientSession) -> int:
            if not await self.leases.renew(TAG_LEASE, LEASE_TTL, session):
                raise LeaseLost
            waiting = await responses.themes_pending(self.batch, session)
            if not waiting:
                return 0
            themes = await self.catalog.current(session)
            await write_tags(waiting, themes, self.listeners, session)
            return len(waiting)

        within = LEASE_TTL.total_seconds() / 2
        tagged: int = await in_transaction(responses.STORE.client(), work, within)
        return tagged

    async def drain(self) -> int:
        """Tag until no comment waits; how many were tagged. Tags nothing while
        another process tags."""
        return await self._drain(lambda: False) or 0

    async def _drain(self, stopping: Callable[[], bool]) -> int | None:
        """Tag until no comment waits or `stopping()`; how many, or None when another
        process tags."""
        if not await _try_acquire(self.leases):
            return None
        total, moves = 0, 0
        try:
            while not stopping():
                try:
                    tagged = await self.tag_batch()
                except StateMoved:
                    moves += 1  # a response changed under the batch: read it again
                    if moves > MAX_MOVES:
                        raise
                    continue
                total, moves = total + tagged, 0
                if tagged < self.batch:
                    break
        finally:
            with contextlib.suppress(PyMongoError):  # it expires on its own
                await self.leases.release(TAG_LEASE)
        return total

    def wake(self) -> None:
        """A write of this process committed a comment: tag soon."""
        self._wake.set()

    async def run_forever(self) -> None:
        """Until stopped (between two batches): drain, then sleep until a comment of
        this process wakes the tagger, and `interval_seconds` more; look anyway every
        `IDLE_POLL_SECONDS`, for comments other processes wrote."""
        while not self._stop.is_set():
            busy = False
            try:
                if await responses.any_themes_pending():
                    busy = await self._drain(self._stop.is_set) is None
            except PyMongoError as error:
                log.warning("comments not tagged (%s); retrying", type(error).__name__)
            except LeaseLost:
                log.warning("lost the tag lease during a batch; the batch was undone")
            except StateMoved:
                log.warning("comments kept changing under the tagger; retrying later")
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


class CommentsToTag(ResponseListener):
    """Wakes the tagger once a widget write that commented a response committed (the
    comment itself is marked for it by the write)."""

    def __init__(self, committed: Callable[[], None]) -> None:
        self.committed = committed
        self._commenting: set[int] = set()

    async def comment_submitted(self, response: Response, session: AsyncClientSession) -> None:
        self._commenting.add(id(session))

    async def transaction_ended(self, session: AsyncClientSession, committed: bool) -> None:
        if id(session) in self._commenting:
            self._commenting.discard(id(session))
            if committed:
                self.committed()


async def _try_acquire(leases: JobLeases) -> bool:
    try:
        return await leases.acquire(TAG_LEASE, LEASE_TTL) is not None
    except OperationFailure as error:
        if error.code == WRITE_CONFLICT:  # a batch renewing it has not committed yet
            return False
        raise
