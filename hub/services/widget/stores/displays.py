"""The raw queries on `displays`: the banner shown to a person."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bson import ObjectId
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.cursor import AsyncCursor

from hub.db import Database
from hub.models.activity import Display
from hub.services.platform.store import CollectionStore, Raw

STORE = CollectionStore(Display)


async def any_counted(database: Database) -> bool:
    """Whether some display counts in the analytics (for the doctor)."""
    counted = await STORE.collection(database).find_one(
        {"analytics_excluded": {"$ne": True}}, {"_id": 1}
    )
    return counted is not None


async def mark_answered(
    display_id: Any, response_id: Any, now: datetime, session: AsyncClientSession
) -> bool:
    """Link the display to its response; whether the display is taken out of the
    analytics (its person restricted), known from which update matched: inside the
    transaction, a restriction that flags the display meanwhile conflicts with this
    update, and the retry sees its flag. One update by `_id` when the person is not
    restricted (not a findAndModify: see `CollectionStore.update_then_read`)."""
    link = {"$set": {"response_id": response_id, "answered_at": now}}
    counted = await STORE.collection().update_one(
        {"_id": display_id, "analytics_excluded": {"$ne": True}}, link, session=session
    )
    if counted.matched_count:
        return False
    excluded = await STORE.collection().update_one({"_id": display_id}, link, session=session)
    return bool(excluded.matched_count)


async def mark_declined(display_id: Any, now: datetime, session: AsyncClientSession) -> bool:
    """Decline a display neither answered nor declined; False if it was."""
    result = await STORE.collection().update_one(
        {"_id": display_id, "response_id": None, "declined_at": None},
        {"$set": {"declined_at": now}},
        session=session,
    )
    return result.modified_count != 0


def counted(
    survey_key: str | None,
    projection: Mapping[str, Any],
    after: ObjectId | None,
    limit: int,
    session: AsyncClientSession,
) -> AsyncCursor[Raw]:
    """The displays the analytics count (of one survey, or all), in id order from
    after `after`, at most `limit`, as `session` reads them: `projection` of each."""
    query: dict[str, Any] = {} if survey_key is None else {"survey_key": str(survey_key)}
    query["analytics_excluded"] = {"$ne": True}
    return STORE.in_id_order(query, projection, after, limit, session)


async def set_excluded(user_id: str, excluded: bool, session: AsyncClientSession) -> None:
    """Take a person's displays out of the analytics (or put them back)."""
    await STORE.collection().update_many(
        {"user.id": user_id, "analytics_excluded": {"$ne": excluded}},
        {"$set": {"analytics_excluded": excluded}},
        session=session,
    )


async def anonymise_of_responses(
    response_ids: list[Any], values: Mapping[str, Any], dry_run: bool
) -> int:
    """Set `values` (no identity, no link back) on the displays of these responses;
    how many changed (with `dry_run`, how many there are)."""
    query = {"response_id": {"$in": response_ids}}
    if dry_run:
        return await STORE.collection().count_documents(query)
    return (await STORE.collection().update_many(query, {"$set": dict(values)})).modified_count


async def delete_shown_before(cutoff: datetime, dry_run: bool) -> int:
    """Delete the displays shown before `cutoff`; how many (with `dry_run`, only count)."""
    query = {"shown_at": {"$lt": cutoff}}
    if dry_run:
        return await STORE.collection().count_documents(query)
    return (await STORE.collection().delete_many(query)).deleted_count
