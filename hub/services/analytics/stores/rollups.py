"""The raw queries on the rollups, `rollups_daily`, `rollups_hourly` and
`rollups_slots`: the counts the analytics read, one collection per grain."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from beanie import Document
from bson import ObjectId
from pymongo import UpdateOne
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.command_cursor import AsyncCommandCursor
from pymongo.errors import PyMongoError

from hub.db import Database
from hub.models.rollup import DailyRollup, HourlyRollup, SlotRollup
from hub.services.platform.store import CollectionStore, Raw

DAILY = CollectionStore(DailyRollup)
HOURLY = CollectionStore(HourlyRollup)
SLOTS = CollectionStore(SlotRollup)
BY_MODEL: dict[type[Document], CollectionStore] = {
    store.model: store for store in (DAILY, HOURLY, SLOTS)
}


async def empty_grains(database: Database) -> list[str]:
    """The rollup collections that hold no counts at all (for the doctor)."""
    return [
        store.name
        for store in (DAILY, HOURLY, SLOTS)
        if await store.collection(database).find_one({}, {"_id": 1}) is None
    ]


# Writes the rollups of a rebuild, a batch at a time, with the inserter it is given.
Insert = Callable[[list[Raw]], Awaitable[None]]
Write = Callable[[Insert], Awaitable[None]]


async def increment(
    model: type[Document],
    time_field: str,
    time: datetime,
    levels: list[dict[str, Any]],
    increment: dict[str, int],
    session: AsyncClientSession | None,
) -> None:
    """Add the counters to the rollup of each level at `time` (created if missing),
    all levels in one round trip."""
    await (
        BY_MODEL[model]
        .collection()
        .bulk_write(
            [
                UpdateOne({**level, time_field: time}, {"$inc": increment}, upsert=True)
                for level in levels
            ],
            ordered=False,
            session=session,
        )
    )


async def tally(
    model: type[Document], pipeline: Sequence[Mapping[str, Any]]
) -> AsyncCommandCursor[Raw]:
    """Run an analytics pipeline (match, group) on a grain's rollups."""
    return await BY_MODEL[model].aggregate(pipeline)


async def replace_all(model: type[Document], write: Write) -> None:
    """Write a grain's rollups into a new collection, then put it in place of the old
    one in one rename: dashboards read the old figures until then, never a half-written
    set, and the new collection starts without the old one's deleted entries."""
    live = BY_MODEL[model].collection()
    staging = live.database[f"{live.name}.rebuild-{ObjectId()}"]

    async def insert(batch: list[Raw]) -> None:
        await staging.insert_many(batch, ordered=False)

    try:
        await staging.create_indexes(list(model.Settings.indexes))
        await write(insert)
        await staging.rename(live.name, dropTarget=True)
    except BaseException:
        with contextlib.suppress(PyMongoError):
            await staging.drop()
        raise


async def replace_survey(model: type[Document], survey_key: str, write: Write) -> None:
    """Replace one survey's rollups of a grain in place."""
    collection = BY_MODEL[model].collection()

    async def insert(batch: list[Raw]) -> None:
        await collection.insert_many(batch, ordered=False)

    await collection.delete_many({"survey_key": survey_key})
    await write(insert)
