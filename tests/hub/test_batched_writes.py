"""A transaction's writes that answer nothing go to the server together: one
client-level `bulkWrite` before the commit (one command each on a server without it),
committed or given up with the transaction, retried with it, and failing as the single
writes would have (a duplicate key is a `DuplicateKeyError`)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from pymongo import AsyncMongoClient, monitoring
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import DuplicateKeyError

import hub.batch
from hub.batch import Insert, Update, write_later
from hub.db import Database, in_transaction, make_client
from tests.support.commands import CommandCounter

Client = AsyncMongoClient[dict[str, Any]]


@pytest.fixture
async def counted(mongo_uri: str) -> AsyncIterator[tuple[Client, CommandCounter]]:
    counter = CommandCounter()
    client = make_client(mongo_uri, event_listeners=[counter])
    try:
        yield client, counter
    finally:
        await client.close()


def _writes(client: Client, database: Database) -> Any:
    items, people = client[database.name]["batch_items"], client[database.name]["batch_people"]

    async def work(session: AsyncClientSession) -> str:
        await write_later(items, Insert({"_id": "a", "n": 1}), session)
        await write_later(people, Update({"_id": "p"}, {"$inc": {"seen": 1}}, True), session)
        await write_later(items, Insert({"_id": "b", "n": 2}), session)
        return "done"

    return work


async def _contents(database: Database) -> tuple[list[Any], list[Any]]:
    items = await database["batch_items"].find({}).sort("_id", 1).to_list()
    people = await database["batch_people"].find({}).to_list()
    return items, people


async def test_the_writes_go_in_one_command_and_commit_with_the_transaction(
    counted: tuple[Client, CommandCounter], database: Database
) -> None:
    client, counter = counted
    await database["batch_items"].insert_one({"_id": "seed"})  # the collections exist
    await database["batch_people"].insert_one({"_id": "seed"})
    await client.admin.command("ping")  # the driver knows the server takes bulkWrite
    counter.clear()

    assert await in_transaction(client, _writes(client, database), batched=True) == "done"

    assert counter.commands == ["bulkWrite", "commitTransaction"]
    assert set(counter.bulk_collections) == {"batch_items", "batch_people"}
    items, people = await _contents(database)
    assert [item["_id"] for item in items] == ["a", "b", "seed"]
    assert {"_id": "p", "seen": 1} in people


async def test_without_batching_or_bulk_writes_each_write_is_a_command(
    counted: tuple[Client, CommandCounter],
    database: Database,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client, counter = counted
    await in_transaction(client, _writes(client, database))  # not batched
    assert counter.commands == ["insert", "update", "insert", "commitTransaction"]

    await database["batch_items"].delete_many({})
    await database["batch_people"].delete_many({})
    counter.clear()

    def no_bulk_write(_: Client) -> bool:
        return False  # a server older than MongoDB 8.0

    monkeypatch.setattr(hub.batch, "_bulk_write_supported", no_bulk_write)
    await in_transaction(client, _writes(client, database), batched=True)
    assert counter.commands == ["insert", "update", "insert", "commitTransaction"]
    items, people = await _contents(database)
    assert [item["_id"] for item in items] == ["a", "b"]
    assert people == [{"_id": "p", "seen": 1}]


async def test_a_transaction_given_up_writes_nothing_of_its_batch(
    counted: tuple[Client, CommandCounter], database: Database
) -> None:
    client, counter = counted

    async def work(session: AsyncClientSession) -> None:
        await _writes(client, database)(session)
        raise ValueError("refused after the writes were handed over")

    with pytest.raises(ValueError):
        await in_transaction(client, work, batched=True)
    assert "bulkWrite" not in counter.commands
    assert await _contents(database) == ([], [])


async def test_a_duplicate_key_in_the_batch_is_a_duplicate_key_error_and_writes_nothing(
    counted: tuple[Client, CommandCounter], database: Database
) -> None:
    client, _ = counted
    await database["batch_items"].insert_one({"_id": "b", "n": 0})

    with pytest.raises(DuplicateKeyError):
        await in_transaction(client, _writes(client, database), batched=True)
    assert await _contents(database) == ([{"_id": "b", "n": 0}], [])


class Conflicts(monitoring.CommandListener):
    """Set once a `bulkWrite` failed (on the async client, in the event loop)."""

    def __init__(self) -> None:
        self.seen = asyncio.Event()

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        pass

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        if event.command_name == "bulkWrite":
            self.seen.set()


async def test_a_write_conflict_retries_the_transaction_and_its_batch_is_sent_once(
    mongo_uri: str, database: Database
) -> None:
    conflicts = Conflicts()
    client = make_client(mongo_uri, event_listeners=[conflicts])
    await database["batch_people"].insert_one({"_id": "p", "seen": 0})
    await client.admin.command("ping")
    attempts = 0

    async def work(session: AsyncClientSession) -> None:
        nonlocal attempts
        attempts += 1
        await _writes(client, database)(session)

    try:
        async with client.start_session() as other:
            await other.start_transaction()
            # Another transaction holds the person until our first attempt conflicted.
            await client[database.name]["batch_people"].update_one(
                {"_id": "p"}, {"$inc": {"seen": 10}}, session=other
            )

            async def release() -> None:
                await conflicts.seen.wait()
                await other.commit_transaction()

            releasing = asyncio.create_task(release())
            await in_transaction(client, work, within=20, batched=True)
            await releasing
    finally:
        await client.close()

    assert conflicts.seen.is_set()
    assert attempts >= 2
    items, people = await _contents(database)
    assert [item["_id"] for item in items] == ["a", "b"]  # once, whatever the attempts
    assert people == [{"_id": "p", "seen": 11}]
