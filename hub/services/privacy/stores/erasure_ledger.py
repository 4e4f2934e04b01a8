"""The raw queries on `erasure_ledger`: the erasure ledger."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pymongo import UpdateOne

from hub.db import Database
from hub.models.ledger import ErasureLedgerEntry
from hub.services.platform.store import CollectionStore

STORE = CollectionStore(ErasureLedgerEntry)


async def hashes_recorded(hashes: list[str], erase: bool) -> set[str]:
    """Which of these keyed hashes an entry holds already, one that erases if `erase`."""
    return {
        digest
        async for raw in STORE.collection().find(
            {"identity_hmacs": {"$in": hashes}, "erase": {"$in": [erase, True]}},
            projection={"identity_hmacs": 1},
        )
        for digest in raw["identity_hmacs"]
    }


async def add_missing(documents: list[Mapping[str, Any]]) -> int:
    """Insert the entries (by `entry_id`) the collection lacks; how many it lacked."""
    result = await STORE.collection().bulk_write(
        [
            UpdateOne({"entry_id": document["entry_id"]}, {"$setOnInsert": document}, upsert=True)
            for document in documents
        ]
    )
    return result.upserted_count


async def stored_entry_ids(database: Database) -> set[str]:
    """The ids of the ledger entries the database holds (for the doctor)."""
    return {
        str(raw["entry_id"]) async for raw in STORE.collection(database).find({}, {"entry_id": 1})
    }
