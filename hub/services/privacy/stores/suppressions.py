"""The raw queries on `suppressions`: keyed hashes of identities never to contact or record."""

from __future__ import annotations

from hub.db import Database
from hub.models.suppression import Suppression
from hub.services.platform.store import CollectionStore

STORE = CollectionStore(Suppression)


async def count_suppressed(database: Database, identity_hmacs: list[str]) -> int:
    """How many of these keyed hashes of identities are suppressed (for the doctor)."""
    return await STORE.collection(database).count_documents(
        {"identity_hmac": {"$in": identity_hmacs}}
    )
