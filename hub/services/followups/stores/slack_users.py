"""The raw queries on `slack_users`: the Slack names of staff."""

from __future__ import annotations

from datetime import datetime

from pymongo.asynchronous.cursor import AsyncCursor

from hub.models.slack import SlackUser
from hub.services.platform.store import CollectionStore, Raw

STORE = CollectionStore(SlackUser)


async def remember(slack_id: str, display_name: str, is_admin: bool, now: datetime) -> None:
    await STORE.collection().update_one(
        {"slack_id": slack_id},
        {"$set": {"display_name": display_name, "is_admin": is_admin, "fetched_at": now}},
        upsert=True,
    )


def display_names() -> AsyncCursor[Raw]:
    """Every Slack user's display name."""
    return STORE.collection().find({}, projection={"display_name": 1})
