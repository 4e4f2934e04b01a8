"""The raw queries on `displays`: the banner shown to a person."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bson import ObjectId
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.cursor import AsyncCursor

from hub.batch import Update, write_later
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


async def read(display_id: Any, session: AsyncClientSession | None) -> Display | None:
    """The display (as `session`'s transaction sees it, when given: a write that
    commits after this read and before the transaction's own write of it makes that
    write conflict, so the transaction runs again and reads it anew)."""
    found = await STORE.collection().find_one({"_id": display_id}, session=session)
    return None if found is None else Display.model_validate(found)


async def link_response(
    display_id: Any, response_id: Any, now: datetime, session: AsyncClientSession
) -> None:
    """Link the display to its response, with the batch of the transaction when it
    batches. The caller read the display in the same transaction (`read`):
    whether it is answered, declined or taken out of the analytics is what that read
    saw, or this write conflicts."""
    link = {"$set": {"response_id": response_id, "answered_at": now}}
    await write_later(STORE.collection(), Update({"_id": display_id}, link), session)


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
