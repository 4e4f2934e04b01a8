"""The raw queries on `erasure_ledger`: the erasure ledger."""

from __future__ import annotations

from hub.db import Database
from hub.models.ledger import ErasureLedgerEntry
from hub.services.platform.store import CollectionStore

STORE = CollectionStore(ErasureLedgerEntry)


async def stored_entry_ids(database: Database) -> set[str]:
    """The ids of the ledger entries the database holds (for the doctor)."""
    return {
        str(raw["entry_id"]) async for raw in STORE.collection(database).find({}, {"entry_id": 1})
    }
