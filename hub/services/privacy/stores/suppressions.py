"""The raw queries on `suppressions`: keyed hashes of identities never to contact or record."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from pymongo import UpdateOne
from pymongo.asynchronous.client_session import AsyncClientSession

from hub.db import Database
from hub.models.suppression import Suppression
from hub.services.platform.store import CollectionStore

STORE = CollectionStore(Suppression)


async def add(
    entries: Iterable[tuple[str, str]],
    now: datetime,
    session: AsyncClientSession | None = None,
) -> None:
    """List each (keyed hash, reason) pair once: a pair already listed keeps its date."""
    operations = [
        UpdateOne(
            {"identity_hmac": digest, "reason": reason},
            {"$setOnInsert": {"created_at": now}},
            upsert=True,
        )
        for digest, reason in entries
    ]
    if operations:
        await STORE.collection().bulk_write(operations, session=session)


async def any_listed(hashes: list[str], reasons: list[str] | None = None) -> bool:
    """Whether any of these keyed hashes is listed (for one of `reasons`, if given)."""
    query: dict[str, object] = {"identity_hmac": {"$in": hashes}}
    if reasons is not None:
        query["reason"] = {"$in": reasons}
    return await STORE.collection().find_one(query, projection={"_id": 1}) is not None


async def listed_hashes(hashes: list[str], reasons: list[str]) -> list[str]:
    """Which of these keyed hashes are listed for one of `reasons`, each once."""
    found: list[str] = await STORE.collection().distinct(
        "identity_hmac", {"identity_hmac": {"$in": hashes}, "reason": {"$in": reasons}}
    )
    return found


async def reasons_listed(hashes: list[str]) -> set[str]:
    """Why any of these keyed hashes is listed: each reason once."""
    return {
        str(raw["reason"])
        async for raw in STORE.collection().find(
            {"identity_hmac": {"$in": hashes}}, projection={"reason": 1}
        )
    }


async def listed_for(hashes: list[str], reason: str) -> set[str]:
    """Which of these keyed hashes are listed for `reason`."""
    return {
        raw["identity_hmac"]
        async for raw in STORE.collection().find(
            {"identity_hmac": {"$in": hashes}, "reason": reason},
            projection={"identity_hmac": 1},
        )
    }


async def remove(hashes: list[str], reason: str) -> int:
    """Take these keyed hashes off the list for `reason` (their other entries stay)."""
    removed = await STORE.collection().delete_many(
        {"identity_hmac": {"$in": hashes}, "reason": reason}
    )
    return removed.deleted_count


async def count_suppressed(database: Database, identity_hmacs: list[str]) -> int:
    """How many of these keyed hashes of identities are suppressed (for the doctor)."""
    return await STORE.collection(database).count_documents(
        {"identity_hmac": {"$in": identity_hmacs}}
    )
