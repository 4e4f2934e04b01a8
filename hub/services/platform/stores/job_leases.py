"""The raw queries on `job_leases`: one document per job name, taken, renewed and
released atomically (hub/services/platform/leases.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import ReturnDocument
from pymongo.asynchronous.client_session import AsyncClientSession

from hub.models.lease import JobLease
from hub.services.platform.store import CollectionStore, Raw

STORE = CollectionStore(JobLease)


async def take(
    name: str, owner: str, now: datetime, expires_at: datetime, due_only: bool
) -> Raw | None:
    """Take (or renew) the lease on `name` when `owner` holds it, nobody does, or it
    ran out (with `due_only`, only when the job's `next_run_at` has come); the lease
    after, or None. Raises DuplicateKeyError when the upsert's insert lost."""
    query: dict[str, Any] = {
        "_id": name,
        "$or": [{"owner": owner}, {"owner": None}, {"expires_at": {"$lte": now}}],
    }
    if due_only:
        query["next_run_at"] = {"$lte": now}
    raw: Raw | None = await STORE.collection().find_one_and_update(
        query,
        {
            "$set": {"owner": owner, "expires_at": expires_at},
            "$setOnInsert": {"next_run_at": now, "runs": 0},
        },
        upsert=True,
        return_document=ReturnDocument.AFTER,
    )
    return raw


async def extend(
    name: str, owner: str, expires_at: datetime, session: AsyncClientSession | None = None
) -> bool:
    """Extend a lease `owner` holds (in the transaction of `session`, if given); False
    if it lost it."""
    result = await STORE.collection().update_one(
        {"_id": name, "owner": owner}, {"$set": {"expires_at": expires_at}}, session=session
    )
    return result.matched_count == 1


async def give_up(name: str, owner: str, now: datetime, extra: dict[str, Any]) -> bool:
    """Release a lease `owner` holds, setting `extra` fields with it."""
    result = await STORE.collection().update_one(
        {"_id": name, "owner": owner},
        {"$set": {"owner": None, "expires_at": now, **extra}},
    )
    return result.matched_count == 1


async def give_up_all(owner: str, now: datetime) -> int:
    """Release every lease `owner` holds; how many."""
    result = await STORE.collection().update_many(
        {"owner": owner}, {"$set": {"owner": None, "expires_at": now}}
    )
    return result.modified_count


async def delete(name: str, owner: str) -> bool:
    """Delete a lease `owner` holds; False if it did not hold it."""
    result = await STORE.collection().delete_one({"_id": name, "owner": owner})
    return result.deleted_count == 1


async def count_run(name: str) -> None:
    await STORE.collection().update_one({"_id": name}, {"$inc": {"runs": 1}})
