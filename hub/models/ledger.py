"""The erasure ledger: who was erased or objected, as keyed hashes, so that a
restored backup can be brought back in line."""

from __future__ import annotations

from datetime import datetime

import pymongo
from beanie import Document
from pymongo import IndexModel

from hub.models.suppression import SuppressionReason


class ErasureLedgerEntry(Document):
    """One erasure or objection. Mirrors a line of the ledger file kept in the data
    folder, which a restore of the database does not roll back. `erase` is False for
    an objection that only suppressed (the opt-out link of an e-mail)."""

    entry_id: str
    identity_hmacs: list[str]
    reason: SuppressionReason
    erase: bool = True
    recorded_at: datetime

    class Settings:
        name = "erasure_ledger"
        indexes = [
            IndexModel([("entry_id", pymongo.ASCENDING)], unique=True, name="entry_unique"),
            IndexModel([("identity_hmacs", pymongo.ASCENDING)], name="identity_hmacs"),
        ]
