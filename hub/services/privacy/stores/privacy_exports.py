"""The raw queries on `privacy_exports`: stored access and portability exports."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pymongo import ReturnDocument
from pymongo.asynchronous.cursor import AsyncCursor

from hub.models.privacy_export import PrivacyExport
from hub.services.platform.store import CollectionStore, Raw

STORE = CollectionStore(PrivacyExport)


async def keep(request_id: str, document: Mapping[str, Any]) -> None:
    """Store a request's export, in place of the one it had."""
    await STORE.collection().replace_one({"request_id": request_id}, document, upsert=True)


async def formats_left(request_id: str, now: datetime) -> Raw | None:
    """The formats not yet downloaded of a request's unexpired export, and its expiry."""
    raw: Raw | None = await STORE.collection().find_one(
        {"request_id": request_id, "expires_at": {"$gt": now}},
        projection={"formats": 1, "expires_at": 1},
    )
    return raw


async def take_format(request_id: str, fmt: str, now: datetime) -> Raw | None:
    """Take `fmt` off a request's unexpired export, atomically; the export before
    (None if the format was taken or the export is gone)."""
    raw: Raw | None = await STORE.collection().find_one_and_update(
        {"request_id": request_id, "formats": fmt, "expires_at": {"$gt": now}},
        {"$pull": {"formats": fmt}},
        return_document=ReturnDocument.BEFORE,
    )
    return raw


async def delete_if_used_up(export_id: Any) -> None:
    """Delete an export no format is left of."""
    await STORE.collection().delete_one({"_id": export_id, "formats": {"$size": 0}})


async def delete_expired(now: datetime) -> int:
    result = await STORE.collection().delete_many({"expires_at": {"$lte": now}})
    return result.deleted_count


async def delete_about(subject_hmacs: list[str]) -> int:
    """Delete the exports about the people with these keyed hashes."""
    result = await STORE.collection().delete_many({"subject_hmacs": {"$in": subject_hmacs}})
    return result.deleted_count


def all_data() -> AsyncCursor[Raw]:
    """Every export's data."""
    return STORE.collection().find({}, projection={"data": 1})


async def set_data(export_id: Any, data: Any) -> None:
    await STORE.collection().update_one({"_id": export_id}, {"$set": {"data": data}})
