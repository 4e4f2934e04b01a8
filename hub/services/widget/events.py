"""Live response events (new scores, comments, declines) for `responseEvents`.

A write records a `LiveEvent` in its own transaction, so a retried or failed
transaction never announces anything. Every hub process runs an `EventRelay`: it
follows the live events' change stream, loads the record each names, and hands it
to the process's `EventBus`, which fans it out to that process's subscribers. So a
subscriber hears of every write, whichever process took it.

Changes of follow-ups travel the same way (a `LiveEvent` of a `ChangeKind`): the relay
hands them, as a bare `LiveChange` naming the follow-up, to the process's `ChangeBus`,
which the console's live pages listen to.

Each subscriber has a bounded queue; a subscriber too slow to keep up loses its
oldest events rather than slowing anyone else. Live events are for dashboards: after
the database was unreachable, the relay resumes where it stopped when the database
still knows that point, and otherwise goes on from the present.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from pymongo.errors import InvalidOperation, OperationFailure, PyMongoError

from hub.models.activity import Display
from hub.models.common import Channel, Metric
from hub.models.event import ChangeKind, EventKind, LiveEvent
from hub.models.response import Response
from hub.services.widget.stores import live_events

__all__ = [
    "ChangeBus",
    "ChangeKind",
    "EventBus",
    "EventKind",
    "EventRelay",
    "LiveChange",
    "ResponseEvent",
]

log = logging.getLogger(__name__)


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


@dataclass(frozen=True)
class LiveChange:
    """A follow-up changed: which one, and when the change was recorded."""

    kind: ChangeKind
    record_id: str
    at: datetime


T = TypeVar("T")


class _Fanout(Generic[T]):
    """One process's subscribers of one kind of event, each with a bounded queue."""

    def __init__(self, queue_size: int = 1000) -> None:
        self.queue_size = queue_size
        self._subscribers: set[asyncio.Queue[T]] = set()

    @property
    def subscriber_count(self) -> int:
        return len(self._subscribers)

    def publish(self, event: T) -> None:
        for queue in list(self._subscribers):
            if queue.full():
                with contextlib.suppress(asyncio.QueueEmpty):
                    queue.get_nowait()
            queue.put_nowait(event)

    async def listen(self) -> AsyncIterator[T]:
        """Every event published from now on, until the caller stops iterating."""
        queue: asyncio.Queue[T] = asyncio.Queue(self.queue_size)
        self._subscribers.add(queue)
        try:
            while True:
                yield await queue.get()
        finally:
            self._subscribers.discard(queue)


class EventBus(_Fanout[ResponseEvent]):
    """New scores, comments and declines, for `responseEvents` and the console."""


class ChangeBus(_Fanout[LiveChange]):
    """Changes of follow-ups, for the console's live pages."""


Loader = Callable[[LiveEvent], Awaitable[ResponseEvent | None]]


class EventRelay:
    """Follows the live events written by every hub process and publishes them on
    this process's bus (only while someone listens)."""

    def __init__(
        self,
        bus: EventBus,
        load: Loader,
        retry_seconds: float = 1.0,
        changes: ChangeBus | None = None,
    ) -> None:
        self.bus = bus
        self.load = load
        self.changes = changes or ChangeBus()
        self.retry_seconds = retry_seconds
        self.following = asyncio.Event()
        self._resume: Any = None

    async def run_forever(self) -> None:
        while True:
            try:
                await self._follow()
            except InvalidOperation:  # the client was closed: the process is stopping
                self.following.clear()
                return
            except OperationFailure as error:
                if self._resume is None:  # say, a server without change streams
                    log.error(
                        "live events cannot be followed (%s): responseEvents stay silent; "
                        "the hub needs a replica set",
                        error.code,
                    )
                    self.following.clear()
                    await asyncio.sleep(self.retry_seconds * 30)
                    continue
                log.warning("live events: cannot resume (%s); going on from now", error.code)
                self._resume = None
            except PyMongoError as error:
                # Once per outage, not once per retry.
                level = logging.WARNING if self.following.is_set() else logging.DEBUG
                log.log(level, "live events: database unavailable (%s)", type(error).__name__)
            self.following.clear()
            await asyncio.sleep(self.retry_seconds)

    async def _follow(self) -> None:
        async with await live_events.watch_inserts(self._resume) as stream:
            self.following.set()
            while stream.alive:
                change = await stream.try_next()
                listened = self.bus.subscriber_count or self.changes.subscriber_count
                if change is not None and listened:
                    await self._relay(change)
                self._resume = stream.resume_token

    async def _relay(self, change: dict[str, Any]) -> None:
        try:
            live = LiveEvent.model_validate(change["fullDocument"])
            if isinstance(live.kind, ChangeKind):
                self.changes.publish(LiveChange(live.kind, str(live.record_id), live.at))
                return
            if live.kind is EventKind.COMMENT:
                # A comment makes a follow-up in its own transaction: the boards hear of
                # it from the comment's event (named by the response).
                self.changes.publish(LiveChange(ChangeKind.FOLLOW_UP, str(live.record_id), live.at))
            if not self.bus.subscriber_count:
                return
            event = await self.load(live)
        except PyMongoError:
            raise  # followed again from this change once the database answers
        except Exception:  # one event that cannot be read must not stop the others
            log.exception("live event skipped")
            return
        if event is not None:
            self.bus.publish(event)
