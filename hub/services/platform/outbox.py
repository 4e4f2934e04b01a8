"""The outbox: side effects written with the change that causes them, delivered by a
dispatcher with leases, retries and per-channel pauses, so nothing is lost when a
receiver is down and no two hub processes deliver the same message."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import DuplicateKeyError, PyMongoError

from hub.batch import insert_later, insert_new
from hub.clock import Clock
from hub.models.outbox import OutboxMessage, OutboxPause, OutboxStatus
from hub.services.platform.stores import outbox, outbox_pauses

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Delivered:
    result: dict[str, Any] | None = None


@dataclass(frozen=True)
class RetryLater:
    """Try again after `after`; with `pause_channel`, hold the whole channel (429).
    With `outage` (the receiver is down or unreachable, not refusing this message),
    the message outlives `max_attempts` and is retried at the longest backoff until
    the receiver is back."""

    error: str
    after: timedelta | None = None
    pause_channel: bool = False
    outage: bool = False


@dataclass(frozen=True)
class GiveUp:
    error: str


@dataclass(frozen=True)
class Hold:
    """The receiver refuses for a reason a person can fix (`reason`, a code): keep the
    message HELD, out of the queue, until `OutboxService.release_held` puts it back."""

    reason: str


Outcome = Delivered | RetryLater | GiveUp | Hold

Handler = Callable[[OutboxMessage], Awaitable[Outcome]]
# The outcome of each message of a batch, in order; None for one it did not attempt
# (it goes back to the queue as it was).
BatchHandler = Callable[[list[OutboxMessage]], Awaitable[list[Outcome | None]]]

# Messages claimed from one channel at a time: as many as a Slack digest holds
# (bots/slack/blocks.MAX_DIGEST_LINES), so a backed-up channel's batch is one post.
BATCH_SIZE = 40


@dataclass(frozen=True)
class HeldGroup:
    """Messages held for one channel and reason, and the oldest's creation time."""

    channel: str
    reason: str
    count: int
    oldest: datetime


@dataclass(frozen=True)
class Backlog:
    """Messages not yet delivered of one kind, channel and status, and the oldest's time."""

    kind: str
    channel: str
    status: OutboxStatus
    count: int
    oldest: datetime


class OutboxService:
    def __init__(
        self,
        clock: Clock,
        lease: timedelta = timedelta(seconds=60),
        max_attempts: int = 12,
        base_backoff: timedelta = timedelta(seconds=2),
        max_backoff: timedelta = timedelta(minutes=10),
    ) -> None:
        self.clock = clock
        self.lease = lease
        self.max_attempts = max_attempts
        self.base_backoff = base_backoff
        self.max_backoff = max_backoff
        self.wakeup = asyncio.Event()

    async def enqueue(
        self,
        kind: str,
        key: str,
        channel: str,
        payload: dict[str, Any],
        subject_ids: list[str] | None = None,
        session: AsyncClientSession | None = None,
    ) -> bool:
        """Queue a message; False if one with the same key was already queued."""
        message = self._message(kind, key, channel, payload, subject_ids or [])
        try:
            await insert_new(message, session)
        except DuplicateKeyError:
            return False
        self.wakeup.set()
        return True

    async def enqueue_new(
        self,
        kind: str,
        key: str,
        channel: str,
        payload: dict[str, Any],
        subject_ids: list[str],
        session: AsyncClientSession,
    ) -> None:
        """Queue a message under a key no message can have yet (made from a document
        this transaction creates), in `session`'s transaction and with its batch when
        it batches: unlike `enqueue`, nothing waits to learn whether it was new."""
        await insert_later(self._message(kind, key, channel, payload, subject_ids), session)
        self.wakeup.set()

    def _message(
        self, kind: str, key: str, channel: str, payload: dict[str, Any], subject_ids: list[str]
    ) -> OutboxMessage:
        now = self.clock.now()
        return OutboxMessage(
            kind=kind,
            key=key,
            channel=channel,
            payload=payload,
            subject_ids=subject_ids,
            next_attempt_at=now,
            created_at=now,
        )

    async def due_channels(self) -> list[str]:
        """The channels with pending messages and no pause, after putting messages
        whose lease ran out back in the queue."""
        now = self.clock.now()
        await outbox.expire_leases(now)
        paused = {
            pause.channel for pause in await OutboxPause.find(OutboxPause.until > now).to_list()
        }
        return [channel for channel in await outbox.channels_waiting() if channel not in paused]

    async def claim_batch(
        self, owner: str, kinds: list[str], channel: str, limit: int
    ) -> list[OutboxMessage]:
        """Lease up to `limit` due messages of `kinds` for `channel`, oldest first, in
        two commands however many wait (three when another claim took some of them
        meanwhile). Each counts as an attempt."""
        now = self.clock.now()
        token = uuid.uuid4().hex
        raw = await outbox.lease_due(
            channel, kinds, owner, token, now, now + self.lease, max(limit, 1)
        )
        return [OutboxMessage.model_validate(message) for message in raw]

    async def claim(self, owner: str, kinds: list[str]) -> OutboxMessage | None:
        """Lease the next due message of `kinds` in any channel (a batch of one)."""
        for channel in await self.due_channels():
            batch = await self.claim_batch(owner, kinds, channel, 1)
            if batch:
                return batch[0]
        return None

    async def settle(self, message: OutboxMessage, owner: str, outcome: Outcome) -> None:
        """Record what became of a leased message (only while the lease is ours)."""
        await self.settle_all(owner, [(message, outcome)])

    async def settle_all(
        self, owner: str, settled: list[tuple[OutboxMessage, Outcome | None]]
    ) -> None:
        """Record what became of leased messages, in one write (only those whose lease
        is still ours); a message without an outcome was not attempted and goes back
        as it was."""
        now = self.clock.now()
        pauses: dict[str, datetime] = {}
        updates: list[tuple[Any, str | None, dict[str, Any]]] = []
        for message, outcome in settled:
            update = self._settlement(message, outcome, now)
            if isinstance(outcome, RetryLater) and outcome.pause_channel:
                until = now + (outcome.after or self.backoff(message.attempts))
                pauses[message.channel] = max(until, pauses.get(message.channel, until))
            updates.append((message.id, message.lease_token, update))
        for channel, until in pauses.items():
            # The pause holds the channel's messages back; they keep their place.
            await outbox_pauses.pause_until(channel, until)
        await outbox.settle(owner, updates)

    def _settlement(
        self, message: OutboxMessage, outcome: Outcome | None, now: datetime
    ) -> dict[str, Any]:
        if outcome is None:
            return outbox.handed_back()
        if isinstance(outcome, Delivered):
            return outbox.delivered(now, outcome.result)
        if isinstance(outcome, Hold):
            log.warning("outbox message %s (%s) held: %s", message.id, message.kind, outcome.reason)
            return outbox.held(outcome.reason)
        if isinstance(outcome, RetryLater) and outcome.pause_channel:
            return outbox.retry(outcome.error, None)
        if isinstance(outcome, RetryLater) and (
            message.attempts < self.max_attempts or outcome.outage
        ):
            delay = outcome.after or self.backoff(message.attempts)
            return outbox.retry(outcome.error, now + delay)
        log.error(
            "outbox message %s (%s) failed for good: %s", message.id, message.kind, outcome.error
        )
        return outbox.failed(outcome.error)

    async def release_held(
        self, kind_prefix: str, channel: str | None = None, reasons: Iterable[str] | None = None
    ) -> int:
        """Put held messages of the kinds starting with `kind_prefix` back in the queue,
        due now: of one channel, or held for one of `reasons`, where given. How many."""
        released = await outbox.release_held(kind_prefix, channel, reasons, self.clock.now())
        if released:
            self.wakeup.set()
        return released

    async def held(
        self, kind_prefix: str, channel: str | None = None, reasons: Iterable[str] | None = None
    ) -> list[HeldGroup]:
        """Held messages of the kinds starting with `kind_prefix`, by channel and reason."""
        return [
            HeldGroup(
                channel=str(row["_id"]["channel"]),
                reason=str(row["_id"]["reason"]),
                count=int(row["count"]),
                oldest=row["oldest"],
            )
            for row in await outbox.held_groups(kind_prefix, channel, reasons)
        ]

    async def forget(self, keys: list[str]) -> int:
        """Drop the messages queued under `keys`, delivered or not, so the same keys may
        be queued again (a notice about a cause that has gone and may come back)."""
        return await outbox.delete_with_keys(keys)

    async def release_owner(self, owner: str) -> int:
        """Hand back every message `owner` (a dispatcher) still holds, at shutdown, so
        another process delivers them at once instead of after the lease runs out."""
        return await outbox.hand_back_all(owner)

    def backoff(self, attempts: int) -> timedelta:
        delay: timedelta = self.base_backoff * (2 ** min(max(attempts - 1, 0), 30))
        return min(delay, self.max_backoff)

    async def pending_count(self, channel: str | None = None) -> int:
        return await outbox.count_undelivered(channel)

    async def backlog(self) -> list[Backlog]:
        """Pending, in-flight, held and failed messages by kind, channel and status, in
        one aggregation (for the metrics)."""
        waiting = (
            OutboxStatus.PENDING,
            OutboxStatus.IN_FLIGHT,
            OutboxStatus.HELD,
            OutboxStatus.FAILED,
        )
        return [
            Backlog(
                kind=str(row["_id"]["kind"]),
                channel=str(row["_id"]["channel"]),
                status=OutboxStatus(row["_id"]["status"]),
                count=int(row["count"]),
                oldest=row["oldest"],
            )
            for row in await outbox.backlog(waiting)
        ]

    async def clear_delivered(self, dry_run: bool = False) -> int:
        """Clear what delivered messages still hold of people (delivered before they
        were cleared on delivery). Returns how many were (or would be) cleared."""
        return await outbox.clear_delivered(dry_run)

    async def delete_settled(
        self, delivered_before: datetime, undelivered_before: datetime, dry_run: bool = False
    ) -> int:
        """Delete messages delivered or given up before `delivered_before` (their key
        is no longer needed to keep a duplicate out), and messages still undelivered
        since `undelivered_before` or earlier. Returns how many were (or would be) deleted."""
        return await outbox.delete_settled(delivered_before, undelivered_before, dry_run)

    async def drop_for_subject(self, user_id: str) -> int:
        """Drop undelivered messages about a person (erasure, objection)."""
        return await outbox.delete_waiting_about(user_id)


class Dispatcher:
    """Delivers outbox messages with the handler registered for their kind: a batch
    per channel at a time, claimed with one index range read however many wait."""

    def __init__(
        self, outbox: OutboxService, poll_interval: float = 1.0, batch_size: int = BATCH_SIZE
    ) -> None:
        self.outbox = outbox
        self.poll_interval = poll_interval
        self.batch_size = batch_size
        self.owner = uuid.uuid4().hex
        self.handlers: dict[str, Handler] = {}
        self.batch_handlers: dict[str, BatchHandler] = {}
        self.stopping = asyncio.Event()
        # Channels this process leaves alone until a moment (time.monotonic()).
        self._paced: dict[str, float] = {}

    def register(self, kind: str, handler: Handler) -> None:
        self.handlers[kind] = handler

    def register_batch(self, kind: str, handler: BatchHandler) -> None:
        """Hand the messages of `kind` in a channel's batch to `handler` together (so
        a backed-up channel gets a digest rather than one post per message)."""
        self.batch_handlers[kind] = handler

    @property
    def kinds(self) -> list[str]:
        return [*self.handlers, *self.batch_handlers]

    def pace(self, channel: str, seconds: float) -> None:
        """Deliver nothing more to `channel` from this process for `seconds`: a
        receiver's rate limit kept to rather than run into (its messages stay due and
        keep their place; other processes are not held)."""
        if seconds > 0:
            self._paced[channel] = time.monotonic() + seconds

    def _paced_channels(self) -> set[str]:
        now = time.monotonic()
        for channel in [c for c, until in self._paced.items() if until <= now]:
            del self._paced[channel]
        return set(self._paced)

    def _idle_wait(self) -> float:
        """How long to wait for a wake-up when nothing was due: the poll interval, or
        less when a paced channel comes free sooner."""
        if not self._paced:
            return self.poll_interval
        soonest = min(self._paced.values()) - time.monotonic()
        return min(self.poll_interval, max(soonest, 0.01))

    async def run_once(self, limit: int = 100) -> int:
        """Deliver due messages, a batch from each channel in turn, until none is due
        or `limit` were attempted; return how many were. A batch is never cut short by
        the limit (a backlog goes out in full digests), unless the limit is under the
        batch size."""
        attempted = 0
        while attempted < limit and self.kinds and not self.stopping.is_set():
            attempted_now = 0
            paced = self._paced_channels()
            for channel in await self.outbox.due_channels():
                if attempted + attempted_now >= limit or self.stopping.is_set():
                    break
                if channel in paced:
                    continue
                size = min(self.batch_size, limit)
                batch = await self.outbox.claim_batch(self.owner, self.kinds, channel, size)
                attempted_now += await self._deliver(batch)
            if not attempted_now:
                break
            attempted += attempted_now
        return attempted

    async def _deliver(self, batch: list[OutboxMessage]) -> int:
        """Deliver one channel's batch in order, settling each handler's share as it
        returns; after a channel pause (429) the rest goes back untouched. Returns how
        many were attempted."""
        attempted = 0
        left = batch
        while left:
            kind = left[0].kind
            together = kind in self.batch_handlers
            group = [m for m in left if m.kind == kind] if together else left[:1]
            taken = {id(message) for message in group}
            left = [message for message in left if id(message) not in taken]
            outcomes = await self._handle(kind, group)
            attempted += sum(outcome is not None for outcome in outcomes)
            paused = any(isinstance(o, RetryLater) and o.pause_channel for o in outcomes)
            rest: list[tuple[OutboxMessage, Outcome | None]] = []
            if paused or self.stopping.is_set():
                rest, left = [(message, None) for message in left], []
            await self.outbox.settle_all(self.owner, [*zip(group, outcomes, strict=True), *rest])
        return attempted

    async def _handle(self, kind: str, group: list[OutboxMessage]) -> list[Outcome | None]:
        try:
            if kind in self.batch_handlers:
                outcomes = await self.batch_handlers[kind](group)
                if len(outcomes) != len(group):
                    raise ValueError("a batch handler answers for each message")
                return outcomes
            return [await self.handlers[kind](group[0])]
        except Exception as error:  # a handler bug must not stop delivery of others
            log.exception("outbox handler for %s raised", kind)
            return [RetryLater(error=type(error).__name__)] * len(group)

    def stop(self) -> None:
        """Finish the message in hand, then return from `run_forever`."""
        self.stopping.set()
        self.outbox.wakeup.set()

    async def run_forever(self) -> None:
        while not self.stopping.is_set():
            try:
                if await self.run_once():
                    continue
            except PyMongoError as error:
                log.warning("outbox dispatcher: database unavailable (%s)", type(error).__name__)
            self.outbox.wakeup.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.outbox.wakeup.wait(), self._idle_wait())
