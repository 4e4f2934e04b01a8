"""The outbox core: idempotent enqueue, leases, retries with backoff, channel pauses."""

from __future__ import annotations

from datetime import timedelta

from hub.clock import FrozenClock
from hub.models.outbox import OutboxMessage, OutboxStatus
from hub.services import Services
from hub.services.platform.outbox import Delivered, Dispatcher, GiveUp, Outcome, RetryLater


async def test_the_same_key_is_queued_once(services: Services) -> None:
    assert await services.outbox.enqueue("test.kind", "k1", "c1", {"n": 1})
    assert not await services.outbox.enqueue("test.kind", "k1", "c1", {"n": 2})

    assert await OutboxMessage.find_all().count() == 1


async def test_a_leased_message_is_not_claimed_twice(
    services: Services, clock: FrozenClock
) -> None:
    await services.outbox.enqueue("test.kind", "k1", "c1", {})

    first = await services.outbox.claim("owner-a", ["test.kind"])
    second = await services.outbox.claim("owner-b", ["test.kind"])
    assert first is not None and second is None

    # A crashed owner's lease runs out and another process takes the message over.
    clock.advance(services.outbox.lease + timedelta(seconds=1))
    third = await services.outbox.claim("owner-b", ["test.kind"])
    assert third is not None and third.id == first.id and third.attempts == 2


async def test_at_shutdown_a_dispatcher_hands_back_what_it_holds(services: Services) -> None:
    for number in range(4):
        await services.outbox.enqueue("test.kind", f"k{number}", "c1", {})
    batch = await services.outbox.claim_batch("owner-a", ["test.kind"], "c1", 3)
    other = await services.outbox.claim("owner-b", ["test.kind"])
    assert len(batch) == 3 and other is not None

    released = await services.outbox.release_owner("owner-a")

    assert released == 3
    statuses = {m.key: m.status for m in await OutboxMessage.find_all().to_list()}
    assert statuses.pop(other.key) is OutboxStatus.IN_FLIGHT
    assert set(statuses.values()) == {OutboxStatus.PENDING}


async def test_failures_are_retried_with_backoff_until_delivered(
    services: Services, clock: FrozenClock
) -> None:
    outcomes: list[Outcome] = [RetryLater("HTTP500"), RetryLater("HTTP500"), Delivered({"ts": "1"})]
    seen: list[int] = []

    async def handler(message: OutboxMessage) -> Outcome:
        seen.append(message.attempts)
        return outcomes.pop(0)

    dispatcher = Dispatcher(services.outbox)
    dispatcher.register("test.kind", handler)
    await services.outbox.enqueue("test.kind", "k1", "c1", {})

    assert await dispatcher.run_once() == 1
    assert await dispatcher.run_once() == 0  # not due yet
    clock.advance(services.outbox.backoff(1))
    assert await dispatcher.run_once() == 1
    clock.advance(services.outbox.backoff(2))
    assert await dispatcher.run_once() == 1

    message = await OutboxMessage.find_one()
    assert message is not None
    assert message.status is OutboxStatus.DELIVERED
    assert message.result == {"ts": "1"}
    assert seen == [1, 2, 3]


async def test_retry_after_pauses_the_whole_channel(services: Services, clock: FrozenClock) -> None:
    delivered: list[str] = []

    async def handler(message: OutboxMessage) -> Outcome:
        if message.key == "c1-a" and not delivered:
            delivered.append("throttled")
            return RetryLater("ratelimited", after=timedelta(seconds=30), pause_channel=True)
        delivered.append(message.key)
        return Delivered()

    dispatcher = Dispatcher(services.outbox)
    dispatcher.register("test.kind", handler)
    for key, channel in [("c1-a", "c1"), ("c1-b", "c1"), ("c2-a", "c2")]:
        await services.outbox.enqueue("test.kind", key, channel, {})

    await dispatcher.run_once()
    assert delivered == ["throttled", "c2-a"]

    clock.advance(timedelta(seconds=30))
    await dispatcher.run_once()
    assert delivered == ["throttled", "c2-a", "c1-a", "c1-b"]


async def test_a_message_that_cannot_be_delivered_is_marked_failed(services: Services) -> None:
    async def handler(message: OutboxMessage) -> Outcome:
        return GiveUp("channel_not_found")

    dispatcher = Dispatcher(services.outbox)
    dispatcher.register("test.kind", handler)
    await services.outbox.enqueue("test.kind", "k1", "c1", {}, subject_ids=["user-1"])
    await dispatcher.run_once()

    message = await OutboxMessage.find_one()
    assert message is not None and message.status is OutboxStatus.FAILED
    assert message.last_error == "channel_not_found"
    assert await services.outbox.drop_for_subject("user-1") == 1


async def test_an_outage_outlives_the_attempt_limit(services: Services, clock: FrozenClock) -> None:
    async def down(message: OutboxMessage) -> Outcome:
        return RetryLater("HTTP500", outage=True)

    async def failing(message: OutboxMessage) -> Outcome:
        return RetryLater("HTTP500")

    dispatcher = Dispatcher(services.outbox)
    dispatcher.register("down.kind", down)
    dispatcher.register("failing.kind", failing)
    await services.outbox.enqueue("down.kind", "k1", "c1", {})
    await services.outbox.enqueue("failing.kind", "k2", "c2", {})

    for _ in range(services.outbox.max_attempts + 3):
        await dispatcher.run_once()
        clock.advance(services.outbox.max_backoff)

    outage = await OutboxMessage.find_one(OutboxMessage.key == "k1")
    refused = await OutboxMessage.find_one(OutboxMessage.key == "k2")
    assert outage is not None and outage.status is OutboxStatus.PENDING
    assert outage.attempts == services.outbox.max_attempts + 3
    assert refused is not None and refused.status is OutboxStatus.FAILED


async def test_a_delivered_message_keeps_no_payload_or_subjects(services: Services) -> None:
    async def handler(message: OutboxMessage) -> Outcome:
        return Delivered({"channel": "c1", "ts": "1.1"})

    dispatcher = Dispatcher(services.outbox)
    dispatcher.register("test.kind", handler)
    await services.outbox.enqueue(
        "test.kind", "k1", "c1", {"to": "ana@example.org"}, subject_ids=["user-1"]
    )
    await dispatcher.run_once()

    message = await OutboxMessage.find_one()
    assert message is not None and message.status is OutboxStatus.DELIVERED
    assert (message.payload, message.subject_ids) == ({}, [])
    assert message.result == {"channel": "c1", "ts": "1.1"}  # ids only
    # The key still refuses a second message
    assert not await services.outbox.enqueue("test.kind", "k1", "c1", {}, ["user-1"])
