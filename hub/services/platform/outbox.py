"""The outbox: side effects written with the change that causes them, delivered by a
dispatcher with leases, retries and per-channel pauses, so nothing is lost when a
receiver is down and no two hub processes deliver the same message."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import DuplicateKeyError, PyMongoError

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
        now = self.clock.now()
        message = OutboxMessage(
            kind=kind,
            key=key,
            channel=channel,
            payload=payload,
            subject_ids=subject_ids or [],
            next_attempt_at=now,
            created_at=now,
        )
        try:
            await message.insert(session=session)
        except DuplicateKeyError:
            return False
        self.wakeup.set()
        return True

    async def claim(self, owner: str, kinds: list[str]) -> OutboxMessage | None:
        """Lease the next due message of `kinds` whose channel is not paused."""
        now = self.clock.now()
        paused = [
            pause.channel for pause in await OutboxPause.find(OutboxPause.until > now).to_list()
        ]
        raw = await outbox.lease_next_due(kinds, paused, owner, now, now + self.lease)
        return OutboxMessage.model_validate(raw) if raw else None

    async def settle(self, message: OutboxMessage, owner: str, outcome: Outcome) -> None:
        """Record what became of a leased message (only while the lease is ours)."""
        now = self.clock.now()
        if isinstance(outcome, Delivered):
            await outbox.mark_delivered(message.id, owner, now, outcome.result)
        elif isinstance(outcome, Hold):
            log.warning("outbox message %s (%s) held: %s", message.id, message.kind, outcome.reason)
            await outbox.mark_held([message.id], owner, outcome.reason)
        elif isinstance(outcome, RetryLater) and (
            message.attempts < self.max_attempts or outcome.outage
        ):
            delay = outcome.after or self.backoff(message.attempts)
            if not outcome.pause_channel:
                await outbox.mark_retry(message.id, owner, outcome.error, now + delay)
            else:
                # The pause holds the message back; it keeps its place in the queue.
                await outbox_pauses.pause_until(message.channel, now + delay)
                await outbox.mark_retry(message.id, owner, outcome.error, None)
        else:
            log.error(
                "outbox message %s (%s) failed for good: %s",
                message.id,
                message.kind,
                outcome.error,
            )
            await outbox.mark_failed(message.id, owner, outcome.error)

    async def lease_batch(
        self, kind: str, channel: str, owner: str, limit: int
    ) -> list[OutboxMessage]:
        """Lease up to `limit` due messages of one kind and channel, oldest first, to
        deliver them together (a digest). Each counts as an attempt."""
        leased: list[OutboxMessage] = []
        while len(leased) < limit:
            now = self.clock.now()
            raw = await outbox.lease_oldest_pending(kind, channel, owner, now, now + self.lease)
            if raw is None:
                break
            leased.append(OutboxMessage.model_validate(raw))
        return leased

    async def hold(self, messages: list[OutboxMessage], owner: str, reason: str) -> None:
        """Hold leased messages that were to go with one that was held (a digest's lines)."""
        await outbox.mark_held([message.id for message in messages], owner, reason)

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

    async def release(self, messages: list[OutboxMessage], owner: str) -> None:
        """Hand leased messages back to the queue untouched (their batch failed)."""
        await outbox.hand_back([message.id for message in messages], owner)

    @staticmethod
    def batch_owner(owner: str) -> str:
        """Who holds the messages a delivery by `owner` leased to send with its own
        (a digest's lines): released with the owner's at shutdown."""
        return f"{owner}/batch"

    async def release_owner(self, owner: str) -> int:
        """Hand back every message `owner` (a dispatcher) still holds, at shutdown, so
        another process delivers them at once instead of after the lease runs out."""
        return await outbox.hand_back_all([owner, self.batch_owner(owner)])

    async def due_count(self, kind: str, channel: str) -> int:
        """Messages of a kind waiting for a channel (not counting leased ones)."""
        return await outbox.count_pending(kind, channel)

    async def settle_delivered(
        self, messages: list[OutboxMessage], owner: str, result: dict[str, Any]
    ) -> None:
        """Mark leased messages delivered together (the lines of one digest)."""
        if not messages:
            return
        await outbox.mark_all_delivered(
            [message.id for message in messages], owner, self.clock.now(), result
        )

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
    """Delivers outbox messages with the handler registered for their kind."""

    def __init__(self, outbox: OutboxService, poll_interval: float = 1.0) -> None:
        self.outbox = outbox
        self.poll_interval = poll_interval
        self.owner = uuid.uuid4().hex
        self.handlers: dict[str, Handler] = {}
        self.stopping = asyncio.Event()

    def register(self, kind: str, handler: Handler) -> None:
        self.handlers[kind] = handler

    async def run_once(self, limit: int = 100) -> int:
        """Deliver up to `limit` due messages; return how many were attempted."""
        attempted = 0
        while attempted < limit and self.handlers and not self.stopping.is_set():
            message = await self.outbox.claim(self.owner, list(self.handlers))
            if message is None:
                break
            attempted += 1
            try:
                outcome = await self.handlers[message.kind](message)
            except Exception as error:  # a handler bug must not stop delivery of others
                log.exception("outbox handler for %s raised", message.kind)
                outcome = RetryLater(error=type(error).__name__)
            await self.outbox.settle(message, self.owner, outcome)
        return attempted

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
                await asyncio.wait_for(self.outbox.wakeup.wait(), self.poll_interval)
