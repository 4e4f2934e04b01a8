"""The raw queries on `people`: one document per person seen."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo.asynchronous.client_session import AsyncClientSession

from hub.batch import Update, write_later
from hub.models.activity import Person
from hub.services.platform.store import CollectionStore

STORE = CollectionStore(Person)


async def count_login(user_id: str, now: datetime, session: AsyncClientSession) -> None:
    """One login more for the person (created at their first); with the batch of
    the transaction when it batches."""
    await write_later(
        STORE.collection(),
        Update(
            {"user_id": user_id},
            {
                "$setOnInsert": {"first_seen_at": now},
                "$inc": {"login_count": 1},
                "$set": {"last_login_at": now},
            },
            upsert=True,
        ),
        session,
    )


async def note_seen(user_id: str, now: datetime, session: AsyncClientSession) -> None:
    """The person exists from now on, if not yet; with the batch of the transaction
    when it batches."""
    await write_later(
        STORE.collection(),
        Update(
            {"user_id": user_id},
            {"$setOnInsert": {"first_seen_at": now, "login_count": 0}},
            upsert=True,
        ),
        session,
    )


def _inactive(cutoff: datetime) -> dict[str, Any]:
    return {"first_seen_at": {"$lt": cutoff}, "last_login_at": {"$not": {"$gte": cutoff}}}


async def inactive_since(cutoff: datetime) -> list[str]:
    """The user ids of the people first seen before `cutoff` with no login since."""
    return [
        raw["user_id"]
        async for raw in STORE.collection().find(_inactive(cutoff), projection={"user_id": 1})
    ]


async def delete_inactive(user_ids: list[str], cutoff: datetime) -> int:
    """Delete these people if still inactive since `cutoff`; how many."""
    result = await STORE.collection().delete_many(
        {"user_id": {"$in": user_ids}, **_inactive(cutoff)}
    )
    return result.deleted_count
