"""The raw queries on the rollups, `rollups_daily`, `rollups_hourly` and
`rollups_slots`: the counts the analytics read, one collection per grain."""

from __future__ import annotations

from beanie import Document

from hub.db import Database
from hub.models.rollup import DailyRollup, HourlyRollup, SlotRollup
from hub.services.platform.store import CollectionStore

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
