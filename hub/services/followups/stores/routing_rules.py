"""The raw queries on `routing_rules`: which channel a follow-up goes to."""

from __future__ import annotations

from hub.db import Database
from hub.models.routing import RoutingRule
from hub.services.platform.store import CollectionStore

STORE = CollectionStore(RoutingRule)


async def channels(database: Database) -> set[str]:
    """Every Slack channel a rule sends follow-ups to (for the doctor)."""
    return {str(c) for c in await STORE.collection(database).distinct("channel_id")}
