"""The raw queries on `rollup_changes`: the changes to the rollups written with each
record and not folded into the rollups yet (`hub.services.analytics.folder`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bson import ObjectId
from pymongo.asynchronous.client_session import AsyncClientSession

from hub.batch import Insert, batch_of, write_later
from hub.db import Database
from hub.models.rollup import RollupChange
from hub.services.platform.store import CollectionStore, Raw

STORE = CollectionStore(RollupChange)


async def add(changes: list[Raw], session: AsyncClientSession) -> None:
    """Write changes in the caller's transaction: new documents, so concurrent writers
    never conflict over them (with the batch of the transaction when it batches)."""
    if batch_of(session) is not None:
        for change in changes:
            await write_later(STORE.collection(), Insert(change), session)
    elif changes:
        await STORE.collection().insert_many(changes, ordered=False, session=session)


async def oldest(limit: int, session: AsyncClientSession) -> list[Raw]:
    """Up to `limit` changes, oldest first, as `session`'s snapshot holds them."""
    cursor = STORE.collection().find({}, session=session).sort("_id", 1).limit(limit)
    return [change async for change in cursor]


async def remove(ids: list[ObjectId], session: AsyncClientSession) -> int:
    """Delete folded changes in the fold's transaction; how many."""
    result = await STORE.collection().delete_many({"_id": {"$in": ids}}, session=session)
    return result.deleted_count


async def tally(
    pipeline: Sequence[Mapping[str, Any]], session: AsyncClientSession | None
) -> list[Raw]:
    """Run an analytics pipeline (match, group) on the changes not folded yet."""
    cursor = await STORE.collection().aggregate(list(pipeline), session=session)
    return [row async for row in cursor]


async def of_records(
    query: Mapping[str, Any],
    after: ObjectId | None,
    through: ObjectId | None,
    session: AsyncClientSession,
) -> list[Raw]:
    """The changes of the records whose id is in (`after`, `through`] (unbounded where
    None) and that match `query`, as `session`'s snapshot holds them."""
    ids: dict[str, ObjectId] = {}
    if after is not None:
        ids["$gt"] = after
    if through is not None:
        ids["$lte"] = through
    found = {**query, **({"record": ids} if ids else {})}
    return [change async for change in STORE.collection().find(found, session=session)]


async def waiting(database: Database | None = None) -> bool:
    """Whether any change waits to be folded."""
    return await STORE.collection(database).find_one({}, {"_id": 1}) is not None


async def backlog(database: Database | None = None) -> int:
    """How many changes wait to be folded."""
    return await STORE.collection(database).count_documents({})
