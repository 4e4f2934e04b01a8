"""The raw queries on `schema_migrations`: which one-time migrations ran, and at which version."""

from __future__ import annotations

from datetime import datetime

from hub.models.migration import SchemaMigration
from hub.services.platform.store import CollectionStore

STORE = CollectionStore(SchemaMigration)


async def record(name: str, version: int, ran_at: datetime, changed: dict[str, int]) -> None:
    """Note that migration `name` ran at `version`, and what it changed."""
    await STORE.collection().update_one(
        {"_id": name},
        {"$set": {"version": version, "ran_at": ran_at, "changed": changed}},
        upsert=True,
    )


async def has_run(name: str, version: int) -> bool:
    """Whether migration `name` ran at `version` or later."""
    done = await STORE.collection().find_one(
        {"_id": name, "version": {"$gte": version}}, projection={"_id": 1}
    )
    return done is not None
