"""The tagger: matches each new comment against the themes, off the request path,
within moments of the comment being written.

A comment is written with `themes_pending` set (the widget's store does it in the same
command). The tagger takes a batch of the oldest such responses in one transaction:
it reads them, reads the themes' versions (so it never tags with rules another
process changed, whatever its cache holds), writes each response's tags and unsets
its mark in one command (a write committed to one of them since the read conflicts
with it, and the transaction runs again), and calls
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

from collections.abc import Callable
from datetime import timedelta

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import PyMongoError

from hub.db import in_transaction
from hub.models.response import Response
from hub.services.platform.batch_worker import BatchWorker, LeaseLost
from hub.services.platform.leases import JobLeases
from hub.services.themes.catalog import ThemeCatalog
from hub.services.themes.listeners import ThemeTagListener
from hub.services.themes.tagging import MAX_MOVES, StateMoved, write_tags
from hub.services.widget.responses import ResponseListener
from hub.services.widget.stores import responses

TAG_LEASE = "themes.tag"
BATCH = 200
LEASE_TTL = timedelta(minutes=1)


class ThemeTagger(BatchWorker):
    """Tags the comments waiting for it, a batch at a time, while it runs."""

    lease = TAG_LEASE
    lease_ttl = LEASE_TTL
    work_done = "comments tagged"
    transient = (PyMongoError, StateMoved)

    def __init__(
        self,
        leases: JobLeases,
        catalog: ThemeCatalog,
        listeners: list[ThemeTagListener] | None = None,
        interval_seconds: float = 0.5,
        batch: int = BATCH,
    ) -> None:
        super().__init__(leases, interval_seconds, batch)
        self.catalog = catalog
        # Kept as given: the tagger and the job runner share one list.
        self.listeners = listeners if listeners is not None else []

    async def waiting(self) -> bool:
        return await responses.any_themes_pending()

    async def one_batch(self) -> int:
        """A batch, read again when a response changed under it (`StateMoved`), up to
        `MAX_MOVES` times in a row."""
        for _ in range(MAX_MOVES):
            try:
                return await self.tag_batch()
            except StateMoved:
                continue
        return await self.tag_batch()

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
