"""The raw queries on `themes`: the themes admins defined and their match rules."""

from __future__ import annotations

from hub.models.theme import Theme
from hub.services.platform.store import CollectionStore, Raw

STORE = CollectionStore(Theme)


async def every() -> list[Raw]:
    """Every theme, by key."""
    return [theme async for theme in STORE.collection().find({}).sort("key", 1)]
