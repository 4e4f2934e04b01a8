"""The raw queries on `people`: one document per person seen."""

from __future__ import annotations

from datetime import datetime

from pymongo.asynchronous.client_session import AsyncClientSession

from hub.models.activity import Person
from hub.services.platform.store import CollectionStore

STORE = CollectionStore(Person)


async def count_login(user_id: str, now: datetime, session: AsyncClientSession) -> None:
    """One login more for the person (created at their first)."""
    await STORE.collection().update_one(
        {"user_id": user_id},
        {
            "$setOnInsert": {"first_seen_at": now},
            "$inc": {"login_count": 1},
            "$set": {"last_login_at": now},
        },
        upsert=True,
        session=session,
    )


async def note_seen(user_id: str, now: datetime, session: AsyncClientSession) -> None:
    """The person exists from now on, if not yet."""
    await STORE.collection().update_one(
        {"user_id": user_id},
        {"$setOnInsert": {"first_seen_at": now, "login_count": 0}},
        upsert=True,
        session=session,
    )
