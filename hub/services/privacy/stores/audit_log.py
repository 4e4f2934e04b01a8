"""The raw queries on `audit_log`: the hash-chained audit entries."""

from __future__ import annotations

from typing import Any

from pymongo.asynchronous.cursor import AsyncCursor

from hub.models.privacy import AuditEntry
from hub.services.platform.store import CollectionStore, Raw

STORE = CollectionStore(AuditEntry)


def in_order() -> AsyncCursor[Raw]:
    """Every entry, oldest first."""
    return STORE.collection().find().sort("seq", 1)


async def newest(query: dict[str, Any], limit: int) -> list[AuditEntry]:
    """Up to `limit` of the entries matching `query`, newest first."""
    return await AuditEntry.find(query).sort("-seq").limit(limit).to_list()


async def sum_retention_runs(changes: tuple[str, ...]) -> list[Raw]:
    """The retention runs that changed data (dry runs left out): how many, and each
    of `changes` of their details added up; one row, or none without runs."""
    pipeline: list[dict[str, Any]] = [
        {"$match": {"action": "retention.run", "details.dry_run": False}},
        {
            "$group": {
                "_id": None,
                "runs": {"$sum": 1},
                **{what: {"$sum": f"$details.{what}"} for what in changes},
            }
        },
    ]
    cursor = await STORE.collection().aggregate(pipeline)
    return [row async for row in cursor]
