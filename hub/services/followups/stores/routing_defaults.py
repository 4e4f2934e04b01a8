"""The raw queries on `routing_defaults`: the default and escalation channels."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from hub.db import Database
from hub.models.routing import RoutingDefaults
from hub.services.platform.store import CollectionStore

STORE = CollectionStore(RoutingDefaults)


async def channels(database: Database) -> set[str]:
    """The default and escalation channels, where set (for the doctor)."""
    defaults = await STORE.collection(database).find_one({"key": "default"})
    return {
        str(defaults[name])
        for name in ("default_channel_id", "escalation_channel_id")
        if defaults and defaults.get(name)
    }


async def set_channels(
    default: str | None,
    escalation: str | None,
    now: datetime,
    reminders: dict[str, Any] | None = None,
) -> None:
    """Set both channels and, when given, the reminder policy."""
    fields: dict[str, Any] = {
        "default_channel_id": default,
        "escalation_channel_id": escalation,
        "updated_at": now,
    }
    if reminders is not None:
        fields["reminders"] = reminders
    await STORE.collection().update_one({"key": "default"}, {"$set": fields}, upsert=True)
