"""The in-process bus of live response events (new scores, comments, declines).

Events are published only after the write's transaction committed, so a retried or
failed transaction never announces anything. Each subscriber has a bounded queue; a
subscriber too slow to keep up loses its oldest events rather than slowing writers.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from hub.models.activity import Display
from hub.models.common import Channel, Metric
from hub.models.response import Response


class EventKind(StrEnum):
    SCORE = "SCORE"
    COMMENT = "COMMENT"
    DECLINE = "DECLINE"


@dataclass(frozen=True)
class ResponseEvent:
    kind: EventKind
    at: datetime
    survey_key: str
    metric: Metric
    product: str
    country: str | None
    channel: Channel
    company: str | None
    response: Response | None = None  # for scores and comments
    display: Display | None = None  # for declines


class EventBus:
    def __init__(self, queue_size: int = 1000) -> None:
        self.queue_size = queue_size
        self._subscribers: set[asyncio.Queue[ResponseEvent]] = set()

    @property
    def subscriber_count(self) -> int:
        return len(self._subscribers)

    def publish(self, event: ResponseEvent) -> None:
        for queue in list(self._subscribers):
            if queue.full():
                with contextlib.suppress(asyncio.QueueEmpty):
                    queue.get_nowait()
            queue.put_nowait(event)

    async def listen(self) -> AsyncIterator[ResponseEvent]:
        """Every event published from now on, until the caller stops iterating."""
        queue: asyncio.Queue[ResponseEvent] = asyncio.Queue(self.queue_size)
        self._subscribers.add(queue)
        try:
            while True:
                yield await queue.get()
        finally:
            self._subscribers.discard(queue)
