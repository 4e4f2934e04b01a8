"""The raw queries on `follow_up_notes`: employees' replies in follow-up threads."""

from __future__ import annotations

from typing import Any

from pymongo.asynchronous.cursor import AsyncCursor

from hub.models.followup import FollowUpNote
from hub.services.platform.store import CollectionStore, Raw

STORE = CollectionStore(FollowUpNote)


def of_follow_ups(follow_up_ids: list[Any]) -> AsyncCursor[Raw]:
    """The notes on these follow-ups, oldest first."""
    return (
        STORE.collection()
        .find({"follow_up_id": {"$in": follow_up_ids}})
        .sort([("written_at", 1), ("_id", 1)])
    )


def matching(pattern: str) -> AsyncCursor[Raw]:
    """The notes whose text matches `pattern` (a regular expression, ignoring case)."""
    return STORE.collection().find({"text": {"$regex": pattern, "$options": "i"}})


async def set_text(note_id: Any, text: str) -> None:
    await STORE.collection().update_one({"_id": note_id}, {"$set": {"text": text}})


async def anonymise(note_id: Any, subject_id: str, text: str) -> None:
    """The note about nobody, with `text` (its scrubbed text)."""
    await STORE.collection().update_one(
        {"_id": note_id}, {"$set": {"subject_id": subject_id, "text": text}}
    )
