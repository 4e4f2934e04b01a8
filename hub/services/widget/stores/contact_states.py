"""The raw queries on `contact_states`: a person's last display, answer and decline per survey."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo.asynchronous.client_session import AsyncClientSession

from hub.batch import Update, write_later
from hub.models.activity import ContactState
from hub.services.platform.store import CollectionStore

STORE = CollectionStore(ContactState)


async def count_display(
    user_id: str,
    survey_key: str,
    now: datetime,
    restart: bool,
    last_display_at: datetime | None,
    session: AsyncClientSession,
) -> None:
    """One unanswered display more (or the first of a new count, with `restart`),
    only if nobody showed the survey since `last_display_at` was read: two page loads
    at once must not both get a display. When one did, the person's state no longer
    matches and the upsert's new state collides with it: a `DuplicateKeyError` (or a
    write conflict, retried), sent with the batch of the transaction when it batches."""
    update: dict[str, Any] = {
        "$set": {"last_display_at": now},
        "$setOnInsert": {"first_display_at": now},
    }
    if restart:
        update["$set"]["unanswered_displays"] = 1
    else:
        update["$inc"] = {"unanswered_displays": 1}
    seen: dict[str, Any] = {"user_id": user_id, "survey_key": survey_key}
    seen["last_display_at"] = last_display_at
    await write_later(STORE.collection(), Update(seen, update, upsert=True), session)


async def _note_reply(
    field: str, user_id: str, survey_key: str, now: datetime, session: AsyncClientSession
) -> None:
    """The person replied (`field` is when): the count of unanswered displays starts
    again; with the batch of the transaction when it batches."""
    await write_later(
        STORE.collection(),
        Update(
            {"user_id": user_id, "survey_key": survey_key},
            {"$set": {field: now, "unanswered_displays": 0}},
            upsert=True,
        ),
        session,
    )


async def note_answer(
    user_id: str, survey_key: str, now: datetime, session: AsyncClientSession
) -> None:
    await _note_reply("last_answer_at", user_id, survey_key, now, session)


async def note_decline(
    user_id: str, survey_key: str, now: datetime, session: AsyncClientSession
) -> None:
    await _note_reply("last_decline_at", user_id, survey_key, now, session)


_CONTACT_TIMES = ("last_display_at", "last_answer_at", "last_decline_at")


def _recent(cutoff: datetime) -> list[dict[str, Any]]:
    return [{field: {"$gte": cutoff}} for field in _CONTACT_TIMES]


async def active_among(user_ids: list[str], cutoff: datetime) -> set[str]:
    """Which of these people had a display, answer or decline since `cutoff`."""
    return {
        raw["user_id"]
        async for raw in STORE.collection().find(
            {"user_id": {"$in": user_ids}, "$or": _recent(cutoff)}, projection={"user_id": 1}
        )
    }


async def delete_stale(cutoff: datetime, dry_run: bool) -> int:
    """Delete the contact states with no display, answer or decline since `cutoff`;
    how many (with `dry_run`, only count)."""
    query: dict[str, Any] = {"$nor": _recent(cutoff)}
    if dry_run:
        return await STORE.collection().count_documents(query)
    return (await STORE.collection().delete_many(query)).deleted_count
