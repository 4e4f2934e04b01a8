"""The raw queries on `audit_head`: the head of the audit chain."""

from __future__ import annotations

from pymongo.asynchronous.client_session import AsyncClientSession

from hub.models.privacy import AuditHead
from hub.services.platform.store import CollectionStore

STORE = CollectionStore(AuditHead)


async def start(digest: str, session: AsyncClientSession) -> None:
    """The head of a chain's first entry; DuplicateKeyError if another append made it."""
    await STORE.collection().insert_one({"key": "head", "seq": 1, "hash": digest}, session=session)


async def move(seq: int, digest: str, session: AsyncClientSession) -> bool:
    """Move the head to entry `seq` from the one before it; False if it is elsewhere."""
    moved = await STORE.collection().update_one(
        {"key": "head", "seq": seq - 1},
        {"$set": {"seq": seq, "hash": digest}},
        session=session,
    )
    return moved.matched_count == 1
