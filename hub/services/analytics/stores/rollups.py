"""The raw queries on the rollups, `rollups_daily`, `rollups_hourly` and
`rollups_slots`, and on the theme rollups (`theme_rollups_…`): the counts the
analytics read, one collection per grain."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, TypeVar

from beanie import Document
from bson import ObjectId
from pymongo import UpdateOne
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import PyMongoError

from hub.db import Database
from hub.db import in_snapshot as db_snapshot
from hub.models.rollup import (
    BREAKDOWN_LEVELS,
    COUNTERS,
    DIMENSIONS,
    SCORE_KEYS,
    SURVEY_LEVEL,
    DailyRollup,
    HourlyRollup,
    SlotRollup,
    sums_by,
)
from hub.models.theme_rollup import ThemeDailyRollup, ThemeHourlyRollup, ThemeSlotRollup
from hub.services.analytics.stores import rollup_changes
from hub.services.platform.store import CollectionStore, Raw

DAILY = CollectionStore(DailyRollup)
HOURLY = CollectionStore(HourlyRollup)
SLOTS = CollectionStore(SlotRollup)
THEME_DAILY = CollectionStore(ThemeDailyRollup)
THEME_HOURLY = CollectionStore(ThemeHourlyRollup)
THEME_SLOTS = CollectionStore(ThemeSlotRollup)
BY_MODEL: dict[type[Document], CollectionStore] = {
    store.model: store for store in (DAILY, HOURLY, SLOTS, THEME_DAILY, THEME_HOURLY, THEME_SLOTS)
}


T = TypeVar("T")
# The dimensions a survey-level rollup keeps (the theme is the theme rollups' only).
SURVEY_LEVEL_FIELDS = tuple(name for name in SURVEY_LEVEL if name != "theme")


async def empty_grains(database: Database) -> list[str]:
    """The rollup collections that hold no counts at all (for the doctor); none while
    nothing was folded into any of them yet and changes wait to be. (Theme rollups
    are empty while no comment has a theme.)"""
    grains = (DAILY, HOURLY, SLOTS)
    empty = [
        store.name
        for store in grains
        if await store.collection(database).find_one({}, {"_id": 1}) is None
    ]
    if len(empty) == len(grains) and await rollup_changes.waiting(database):
        return []
    return empty


# Writes the rollups of a rebuild, a batch at a time, with the inserter it is given.
Insert = Callable[[list[Raw]], Awaitable[None]]
Write = Callable[[Insert], Awaitable[None]]


# One rollup document's key (dimensions, level and time) and what to add to it.
Cell = tuple[dict[str, Any], dict[str, int]]


async def add_counts(model: type[Document], cells: list[Cell], session: AsyncClientSession) -> None:
    """Add each cell's counters to its rollup (created if missing): one `$inc` upsert
    per document, all in one round trip, in the caller's transaction."""
    updates = [
        UpdateOne(key, {"$inc": counters}, upsert=True) for key, counters in cells if counters
    ]
    if updates:
        await (
            BY_MODEL[model]
            .collection()
            .bulk_write(
                updates,
                ordered=False,
                session=session,
            )
        )


async def tally(
    model: type[Document], pipeline: Sequence[Mapping[str, Any]], session: AsyncClientSession
) -> list[Raw]:
    """Run an analytics pipeline (match, group) on a grain's rollups."""
    cursor = await BY_MODEL[model].collection().aggregate(list(pipeline), session=session)
    return [row async for row in cursor]


async def in_snapshot(work: Callable[[AsyncClientSession], Awaitable[T]]) -> T:
    """Run the reads of `work` on the rollups and the changes not folded yet in one
    snapshot (`hub.db.in_snapshot`), so a fold committing meanwhile is counted once."""
    return await db_snapshot(DAILY.client(), work)


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


async def derive_breakdown_levels() -> int:
    """Replace the daily breakdown levels (`BREAKDOWN_LEVELS`) with the sums of the
    full-detail daily rollups, one aggregation per level; how many were written. The
    caller has paused the folder, so both read the same counts."""
    collection = DAILY.collection()
    await collection.delete_many({"detail": {"$in": list(BREAKDOWN_LEVELS)}})
    written = 0
    for name in BREAKDOWN_LEVELS:
        kept = (*SURVEY_LEVEL_FIELDS, name, "day")
        group = sums_by({field: f"${field}" for field in kept})
        cursor = await collection.aggregate([{"$match": {"detail": "full"}}, {"$group": group}])
        batch: list[Raw] = []
        async for row in cursor:
            document: Raw = {field: None for field in DIMENSIONS}
            document.update(row["_id"])
            document["detail"] = name
            document.update({counter: row[counter] for counter in COUNTERS})
            document["scores"] = {key: row[key] for key in SCORE_KEYS if row[key]}
            batch.append(document)
            if len(batch) >= 1000:
                await collection.insert_many(batch, ordered=False)
                written, batch = written + len(batch), []
        if batch:
            await collection.insert_many(batch, ordered=False)
            written += len(batch)
    return written
