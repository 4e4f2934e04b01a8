"""The dispatcher claims a channel's due messages in batches: what a claim costs does
not grow with the number waiting (counted in database commands, and shown by the
server's query plan), and two dispatchers sharing a backlog deliver each message
exactly once."""

from __future__ import annotations

import asyncio
import collections
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest

from hub.clock import FrozenClock
from hub.db import Database
from hub.models.outbox import OutboxMessage, OutboxStatus
from hub.services import Services
from hub.services.platform.outbox import Delivered, Dispatcher, Outcome, RetryLater
from hub.services.platform.stores import outbox as outbox_store
from tests.support.commands import CommandCounter, counting_commands

KIND = "test.kind"


@pytest.fixture
async def counter(mongo_uri: str, database: Database) -> AsyncIterator[CommandCounter]:
    async with counting_commands(mongo_uri, database) as counting:
        yield counting


async def queue(clock: FrozenClock, channel: str, count: int, start: int = 0) -> None:
    """`count` due messages for `channel`, written in bulk, each due a second after
    the one before it."""
    now = clock.now()
    since = now - timedelta(days=1)
    await OutboxMessage.insert_many(
        [
            OutboxMessage(
                kind=KIND,
                key=f"{channel}-{number}",
                channel=channel,
                payload={"n": number},
                next_attempt_at=since + timedelta(seconds=number),
                created_at=now,
            )
            for number in range(start, start + count)
        ]
    )


def stages(plan: dict[str, Any]) -> list[dict[str, Any]]:
    """The stages of a query plan, outermost first."""
    found = [plan]
    for key in ("inputStage", "queryPlan"):
        if isinstance(plan.get(key), dict):
            found += stages(plan[key])
    for child in plan.get("inputStages") or []:
        found += stages(child)
    return found


async def test_a_claim_costs_the_same_with_10_or_10000_waiting(
    services: Services, clock: FrozenClock, counter: CommandCounter
) -> None:
    # Given 10 messages waiting for a channel
    await queue(clock, "CBUSY", 10)

    async def claim(size: int) -> tuple[list[str], list[str]]:
        counter.clear()
        [channel] = await services.outbox.due_channels()
        batch = await services.outbox.claim_batch("owner", [KIND], channel, size)
        return list(counter.commands), [message.key for message in batch]

    few, first = await claim(5)

    # When 10,000 wait
    await queue(clock, "CBUSY", 9_990, start=10)
    many, second = await claim(5)

    # Then the claim sends the same commands, and takes the oldest due each time
    assert few == many
    assert many == ["update", "find", "distinct", "find", "update"]
    assert first == [f"CBUSY-{n}" for n in range(5)]
    assert second == [f"CBUSY-{n}" for n in range(5, 10)]
    assert await OutboxMessage.find(OutboxMessage.status == OutboxStatus.IN_FLIGHT).count() == 10


def race_before_the_update(
    monkeypatch: pytest.MonkeyPatch, other_claim: Callable[[], Awaitable[object]]
) -> None:
    """The next claim's update waits for `other_claim` to run first: a second process
    claiming the same channel between the first one's read and its update."""
    collection = outbox_store.STORE.collection()

    class Raced:
        def __getattr__(self, name: str) -> Any:
            return getattr(collection, name)

        async def update_many(self, *args: Any, **kwargs: Any) -> Any:
            monkeypatch.setattr(outbox_store.STORE, "collection", lambda: collection)
            await other_claim()
            return await collection.update_many(*args, **kwargs)

    monkeypatch.setattr(outbox_store.STORE, "collection", lambda: Raced())


async def test_a_claim_raced_between_its_read_and_its_update_has_only_what_it_leased(
    services: Services, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    await queue(clock, "CRACE", 6)
    theirs: list[OutboxMessage] = []

    async def other_claim() -> None:
        theirs.extend(await services.outbox.claim_batch("owner-b", [KIND], "CRACE", 2))

    race_before_the_update(monkeypatch, other_claim)
    mine = await services.outbox.claim_batch("owner-a", [KIND], "CRACE", 4)

    assert [m.key for m in theirs] == ["CRACE-0", "CRACE-1"]
    assert [m.key for m in mine] == ["CRACE-2", "CRACE-3"]
    stored = {m.key: m for m in await OutboxMessage.find_all().to_list()}
    for message in [*theirs, *mine]:
        assert message.lease_owner == stored[message.key].lease_owner
        assert message.lease_token == stored[message.key].lease_token
        assert message.attempts == stored[message.key].attempts == 1


async def test_a_message_tried_and_put_back_meanwhile_is_not_taken_on_the_old_read(
    services: Services, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a message another process claims, tries and puts back (to retry in a second)
    # between this claim's read and its update
    await queue(clock, "CRACE", 3)

    async def other_claim() -> None:
        [tried] = await services.outbox.claim_batch("owner-b", [KIND], "CRACE", 1)
        retry = RetryLater("internal_error", after=timedelta(seconds=1))
        await services.outbox.settle_all("owner-b", [(tried, retry)])

    race_before_the_update(monkeypatch, other_claim)
    mine = await services.outbox.claim_batch("owner-a", [KIND], "CRACE", 3)

    # Then this claim has the two it read as they are, and leaves the one tried since
    # (its attempt counted) for the next claim, which sees the attempt
    assert [m.key for m in mine] == ["CRACE-1", "CRACE-2"]
    clock.advance(timedelta(seconds=1))
    [again] = await services.outbox.claim_batch("owner-a", [KIND], "CRACE", 3)
    assert (again.key, again.attempts) == ("CRACE-0", 2)


async def test_the_claim_reads_an_index_range_up_to_its_batch(
    services: Services, clock: FrozenClock, counter: CommandCounter, database: Database
) -> None:
    await queue(clock, "CBUSY", 2_000)
    await queue(clock, "COTHER", 500)
    counter.clear()

    batch = await services.outbox.claim_batch("owner", [KIND], "CBUSY", 20)

    assert len(batch) == 20
    # The server's plan for the claim's read: a range of the index made for it.
    explained = await database.command(
        {"explain": counter.first("find"), "verbosity": "executionStats"}
    )
    plan = stages(explained["queryPlanner"]["winningPlan"])
    scans = [stage for stage in plan if stage["stage"] == "IXSCAN"]
    assert [scan["indexName"] for scan in scans] == ["due_by_channel"]
    assert not [stage for stage in plan if stage["stage"] == "COLLSCAN"]
    if explained.get("serverInfo", {}).get("host") != "secantus":
        # A server that stops an index scan at the limit (MongoDB) reads one batch;
        # SecantusDB's executionStats count the whole range, whatever the limit.
        assert not [stage for stage in plan if stage["stage"] == "SORT"]
        assert explained["executionStats"]["totalDocsExamined"] <= 20


async def test_two_dispatchers_deliver_a_shared_backlog_once(
    services: Services, clock: FrozenClock
) -> None:
    # Given a backlog over three channels, and two dispatchers (two hub processes)
    for channel in ("C1", "C2", "C3"):
        await queue(clock, channel, 120)
    delivered: collections.Counter[str] = collections.Counter()

    async def handler(message: OutboxMessage) -> Outcome:
        await asyncio.sleep(0)  # let the other dispatcher claim meanwhile
        delivered[message.key] += 1
        return Delivered()

    dispatchers = [Dispatcher(services.outbox, batch_size=7) for _ in range(2)]
    for dispatcher in dispatchers:
        dispatcher.register(KIND, handler)

    # When both run at once until nothing is due
    while await services.outbox.pending_count():
        attempted = await asyncio.gather(*(d.run_once(limit=50) for d in dispatchers))
        assert sum(attempted) > 0

    # Then each message was delivered exactly once, by one or the other
    assert len(delivered) == 360
    assert set(delivered.values()) == {1}
    statuses = {m.status for m in await OutboxMessage.find_all().to_list()}
    assert statuses == {OutboxStatus.DELIVERED}


async def test_a_pause_sends_the_rest_of_the_batch_back_untouched(
    services: Services, clock: FrozenClock
) -> None:
    # Given a channel whose receiver answers the second message with a 429
    await queue(clock, "C1", 5)
    seen: list[str] = []

    async def handler(message: OutboxMessage) -> Outcome:
        seen.append(message.key)
        if len(seen) == 2:
            return RetryLater("ratelimited", after=timedelta(seconds=30), pause_channel=True)
        return Delivered()

    dispatcher = Dispatcher(services.outbox)
    dispatcher.register(KIND, handler)

    # When the dispatcher runs, nothing more goes to the paused channel
    assert await dispatcher.run_once() == 2
    messages = {m.key: m for m in await OutboxMessage.find_all().to_list()}
    assert messages["C1-0"].status is OutboxStatus.DELIVERED
    waiting = [messages[f"C1-{n}"] for n in range(1, 5)]
    assert {m.status for m in waiting} == {OutboxStatus.PENDING}
    # and neither the refused one nor the untouched ones count an attempt
    assert [m.attempts for m in waiting] == [0, 0, 0, 0]

    # Then after the pause the rest goes, in order
    clock.advance(timedelta(seconds=30))
    assert await dispatcher.run_once() == 4
    assert seen == ["C1-0", "C1-1", "C1-1", "C1-2", "C1-3", "C1-4"]


async def test_a_batch_handler_gets_each_channel_backlog_in_full_batches(
    services: Services, clock: FrozenClock
) -> None:
    # Given three channels with a full batch each, and a kind delivered a batch at once
    for channel in ("C1", "C2", "C3"):
        await queue(clock, channel, 40)
    batches: list[tuple[str, int]] = []

    async def together(messages: list[OutboxMessage]) -> list[Outcome | None]:
        batches.append((messages[0].channel, len(messages)))
        return [Delivered()] * len(messages)

    dispatcher = Dispatcher(services.outbox)
    dispatcher.register_batch(KIND, together)

    # When one run may attempt 100, it still hands over whole batches
    assert await dispatcher.run_once(limit=100) == 120

    # Then each channel's backlog went in one batch, none cut short
    assert sorted(batches) == [("C1", 40), ("C2", 40), ("C3", 40)]
    assert not await services.outbox.pending_count()
