"""The outbox as operators read it: which deliveries (Slack posts, e-mails) are waiting,
retrying, done or given up, newest first. An undelivered message still holds its
payload (an address, a text): callers show how a delivery went, never what it carries."""

from __future__ import annotations

import re
from typing import Any

from hub.models.outbox import OutboxMessage, OutboxStatus
from hub.services.platform import paging


class DeliveryLog:
    def __init__(self, max_page_size: int) -> None:
        self.max_page_size = max_page_size

    async def page(
        self,
        status: OutboxStatus | None = None,
        kind: str | None = None,
        first: int = 50,
        after: str | None = None,
        kind_prefix: str | None = None,
        channel: str | None = None,
    ) -> paging.Page[OutboxMessage]:
        """Deliveries, newest first, `first` at a time after the cursor `after`; the
        same `created_at` is ordered by id, so a page never repeats or skips one.
        `kind_prefix` keeps the kinds starting with it (`slack.`), `channel` one channel."""
        query: dict[str, Any] = {}
        if status is not None:
            query["status"] = OutboxStatus(status).value
        if kind is not None:
            query["kind"] = str(kind)
        elif kind_prefix is not None:
            query["kind"] = {"$regex": "^" + re.escape(kind_prefix)}
        if channel is not None:
            query["channel"] = str(channel)
        return await paging.page(
            OutboxMessage,
            query,
            [paging.SortKey("created_at", ascending=False), paging.SortKey("_id", ascending=False)],
            lambda message: [message.created_at, paging.id_of(message)],
            first,
            after,
            self.max_page_size,
        )
