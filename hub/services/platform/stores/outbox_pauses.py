"""The raw queries on `outbox_pauses`: a channel held back after a 429."""

from __future__ import annotations

from datetime import datetime

from hub.models.outbox import OutboxPause
from hub.services.platform.store import CollectionStore

STORE = CollectionStore(OutboxPause)


async def pause_until(channel: str, until: datetime) -> None:
    """Hold `channel` back until `until`, or longer if it already is."""
    await STORE.collection().update_one(
        {"channel": channel}, {"$max": {"until": until}}, upsert=True
    )
