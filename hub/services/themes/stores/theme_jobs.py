"""The raw queries on `theme_jobs`: the re-tags of past comments after the themes
changed, and their progress (hub/services/themes/jobs.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import ReturnDocument
from pymongo.asynchronous.client_session import AsyncClientSession

from hub.models.theme import ThemeJob, ThemeJobStatus
from hub.services.platform.store import CollectionStore, Raw

STORE = CollectionStore(ThemeJob)

_ACTIVE = [ThemeJobStatus.QUEUED.value, ThemeJobStatus.RUNNING.value]


async def supersede_active(now: datetime, session: AsyncClientSession) -> None:
    """End every job still queued or running: a newer one walks all comments again."""
    await STORE.collection().update_many(
        {"status": {"$in": _ACTIVE}},
        {"$set": {"status": ThemeJobStatus.SUPERSEDED.value, "finished_at": now}},
        session=session,
    )


async def newest_active() -> Raw | None:
    """The newest job still queued or running (there is at most one)."""
    found: Raw | None = await STORE.collection().find_one(
        {"status": {"$in": _ACTIVE}}, sort=[("created_at", -1), ("_id", -1)]
    )
    return found


async def start(job_id: Any, until: Any, total: int, now: datetime) -> Raw | None:
    """Mark a queued job running, walking up to the response `until` (`total` of
    them); the job after, or None if it is no longer queued."""
    started: Raw | None = await STORE.collection().find_one_and_update(
        {"_id": job_id, "status": ThemeJobStatus.QUEUED.value},
        {
            "$set": {
                "status": ThemeJobStatus.RUNNING.value,
                "until_response_id": until,
                "total": total,
                "started_at": now,
            }
        },
        return_document=ReturnDocument.AFTER,
    )
    return started


async def status_of(job_id: Any, session: AsyncClientSession) -> str | None:
    found = await STORE.collection().find_one(
        {"_id": job_id}, projection={"status": 1}, session=session
    )
    return None if found is None else str(found["status"])


async def advance(
    job_id: Any, processed: int, changed: int, last_id: Any, session: AsyncClientSession
) -> None:
    """Count a chunk done: `processed` responses walked, `changed` re-tagged, up to
    the response `last_id`."""
    await STORE.collection().update_one(
        {"_id": job_id, "status": ThemeJobStatus.RUNNING.value},
        {
            "$inc": {"processed": processed, "changed": changed},
            "$set": {"last_response_id": last_id},
        },
        session=session,
    )


async def finish(
    job_id: Any,
    status: ThemeJobStatus,
    now: datetime,
    error: str | None = None,
    total: int | None = None,
) -> None:
    """End a running job: DONE (with `total`, what it walked) or FAILED."""
    values: dict[str, Any] = {"status": status.value, "finished_at": now, "error": error}
    if total is not None:
        values["total"] = total
    await STORE.collection().update_one(
        {"_id": job_id, "status": ThemeJobStatus.RUNNING.value}, {"$set": values}
    )


async def newest(limit: int) -> list[Raw]:
    """The newest jobs first, at most `limit`."""
    found = STORE.collection().find({}).sort([("created_at", -1), ("_id", -1)]).limit(limit)
    return [job async for job in found]
