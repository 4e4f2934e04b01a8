"""The raw queries on `survey_links`: the signed survey links."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import ReturnDocument

from hub.models.link import SurveyLink
from hub.services.platform.store import CollectionStore, Raw

STORE = CollectionStore(SurveyLink)


async def attach_display(link_id: Any, display_id: Any) -> Raw | None:
    """Give a link without a display this one; the link after, or None if it had one."""
    raw: Raw | None = await STORE.collection().find_one_and_update(
        {"_id": link_id, "display_id": None},
        {"$set": {"display_id": display_id}},
        return_document=ReturnDocument.AFTER,
    )
    return raw


async def mark_finished(link_id: Any, now: datetime) -> None:
    """Finish a link not finished yet."""
    await STORE.collection().update_one(
        {"_id": link_id, "finished_at": None}, {"$set": {"finished_at": now}}
    )


async def set_response(link_id: Any, response_id: Any) -> None:
    await STORE.collection().update_one({"_id": link_id}, {"$set": {"response_id": response_id}})


async def set_finished(link_id: Any, at: datetime) -> None:
    await STORE.collection().update_one({"_id": link_id}, {"$set": {"finished_at": at}})


async def set_declined(link_id: Any, at: datetime | None) -> None:
    await STORE.collection().update_one({"_id": link_id}, {"$set": {"declined_at": at}})


async def delete_of_responses(response_ids: list[Any], dry_run: bool) -> int:
    """Delete the links of these responses; how many (with `dry_run`, only count)."""
    query = {"response_id": {"$in": response_ids}}
    if dry_run:
        return await STORE.collection().count_documents(query)
    return (await STORE.collection().delete_many(query)).deleted_count
