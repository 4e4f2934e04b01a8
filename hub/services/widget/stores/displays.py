"""The raw queries on `displays`: the banner shown to a person."""

from __future__ import annotations

from hub.db import Database
from hub.models.activity import Display
from hub.services.platform.store import CollectionStore

STORE = CollectionStore(Display)


async def any_counted(database: Database) -> bool:
    """Whether some display counts in the analytics (for the doctor)."""
    counted = await STORE.collection(database).find_one(
        {"analytics_excluded": {"$ne": True}}, {"_id": 1}
    )
    return counted is not None
