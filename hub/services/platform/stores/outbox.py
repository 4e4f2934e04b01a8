"""The raw queries on `outbox`: leasing, settling and releasing messages, the backlog,
and what retention, erasure and rectification change in them
(hub/services/platform/outbox.py)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from pymongo import ReturnDocument
from pymongo.asynchronous.client_session import AsyncClientSession

from hub.db import Database
from hub.models.outbox import OutboxMessage, OutboxStatus
from hub.services.platform.store import CollectionStore, Raw

STORE = CollectionStore(OutboxMessage)

# A delivered message is a receipt: its key (ids or keyed hashes only) keeps a second
# one from being queued, its result holds ids (a Slack channel and ts); the payload
# (an address, a text) and whom it was about go at once.
DELIVERED_CLEARS: dict[str, Any] = {"payload": {}, "subject_ids": []}
_UNLEASED = {"lease_owner": None, "lease_expires_at": None}
_WAITING = [OutboxStatus.PENDING.value, OutboxStatus.FAILED.value, OutboxStatus.HELD.value]
_UNDELIVERED = [
    OutboxStatus.PENDING.value,
    OutboxStatus.IN_FLIGHT.value,
    OutboxStatus.HELD.value,
]


def _lease(owner: str, expires_at: datetime) -> dict[str, Any]:
    return {
        "$set": {
            "status": OutboxStatus.IN_FLIGHT.value,
            "lease_owner": owner,
            "lease_expires_at": expires_at,
        },
        "$inc": {"attempts": 1},
    }


async def lease_next_due(
    kinds: list[str], paused: list[str], owner: str, now: datetime, expires_at: datetime
) -> Raw | None:
    """Lease the next due message of `kinds` (pending and due, or in flight with an
    expired lease) outside the `paused` channels; the message after, or None."""
    query: dict[str, Any] = {
        "kind": {"$in": kinds},
        "$or": [
            {"status": OutboxStatus.PENDING.value, "next_attempt_at": {"$lte": now}},
            {"status": OutboxStatus.IN_FLIGHT.value, "lease_expires_at": {"$lte": now}},
        ],
    }
    if paused:
        query["channel"] = {"$nin": paused}
    raw: Raw | None = await STORE.collection().find_one_and_update(
        query,
        _lease(owner, expires_at),
        sort=[("next_attempt_at", 1), ("_id", 1)],
        return_document=ReturnDocument.AFTER,
    )
    return raw


async def lease_oldest_pending(
    kind: str, channel: str, owner: str, now: datetime, expires_at: datetime
) -> Raw | None:
    """Lease the oldest due pending message of one kind and channel, or None."""
    raw: Raw | None = await STORE.collection().find_one_and_update(
        {
            "kind": kind,
            "channel": channel,
            "status": OutboxStatus.PENDING.value,
            "next_attempt_at": {"$lte": now},
        },
        _lease(owner, expires_at),
        sort=[("created_at", 1), ("_id", 1)],
        return_document=ReturnDocument.AFTER,
    )
    return raw


async def _settle(message_id: Any, owner: str, values: dict[str, Any]) -> None:
    await STORE.collection().update_one(
        {"_id": message_id, "lease_owner": owner}, {"$set": values | _UNLEASED}
    )


async def mark_delivered(
    message_id: Any, owner: str, now: datetime, result: dict[str, Any] | None
) -> None:
    """A message leased by `owner` was delivered: a receipt now."""
    await _settle(
        message_id,
        owner,
        {
            "status": OutboxStatus.DELIVERED.value,
            "delivered_at": now,
            "result": result,
            "last_error": None,
            **DELIVERED_CLEARS,
        },
    )


async def mark_retry(
    message_id: Any, owner: str, error: str, next_attempt_at: datetime | None
) -> None:
    """Back in the queue; without `next_attempt_at`, it keeps its place (a channel
    pause holds it back)."""
    values: dict[str, Any] = {"status": OutboxStatus.PENDING.value, "last_error": error}
    if next_attempt_at is not None:
        values["next_attempt_at"] = next_attempt_at
    await _settle(message_id, owner, values)


async def mark_failed(message_id: Any, owner: str, error: str) -> None:
    await _settle(message_id, owner, {"status": OutboxStatus.FAILED.value, "last_error": error})


async def mark_held(message_ids: list[Any], owner: str, reason: str) -> None:
    """Messages leased by `owner` refused for a reason a person can fix: kept aside,
    out of the queue, until released."""
    await STORE.collection().update_many(
        {"_id": {"$in": message_ids}, "lease_owner": owner},
        {"$set": {"status": OutboxStatus.HELD.value, "last_error": reason} | _UNLEASED},
    )


def _held(kind_prefix: str, channel: str | None, reasons: Iterable[str] | None) -> dict[str, Any]:
    query: dict[str, Any] = {
        "status": OutboxStatus.HELD.value,
        "kind": {"$regex": f"^{re.escape(kind_prefix)}"},
    }
    if channel is not None:
        query["channel"] = channel
    if reasons is not None:
        query["last_error"] = {"$in": list(reasons)}
    return query


async def release_held(
    kind_prefix: str, channel: str | None, reasons: Iterable[str] | None, now: datetime
) -> int:
    """Held messages of the kinds starting with `kind_prefix` (of one channel, held
    for one of `reasons`, where given) back in the queue, due now; how many."""
    result = await STORE.collection().update_many(
        _held(kind_prefix, channel, reasons),
        {"$set": {"status": OutboxStatus.PENDING.value, "next_attempt_at": now}},
    )
    return result.modified_count


async def held_groups(
    kind_prefix: str,
    channel: str | None = None,
    reasons: Iterable[str] | None = None,
    database: Database | None = None,
) -> list[Raw]:
    """Held messages of the kinds starting with `kind_prefix` by channel and reason
    (`_id`), with their `count` and the `oldest` creation time."""
    pipeline: list[dict[str, Any]] = [
        {"$match": _held(kind_prefix, channel, reasons)},
        {
            "$group": {
                "_id": {"channel": "$channel", "reason": "$last_error"},
                "count": {"$sum": 1},
                "oldest": {"$min": "$created_at"},
            }
        },
        {"$sort": {"_id.channel": 1, "_id.reason": 1}},
    ]
    cursor = await STORE.collection(database).aggregate(pipeline)
    return [row async for row in cursor]


async def delete_with_keys(keys: list[str]) -> int:
    """Delete the messages queued under these keys, whatever their status; how many."""
    if not keys:
        return 0
    return (await STORE.collection().delete_many({"key": {"$in": keys}})).deleted_count


async def mark_all_delivered(
    message_ids: list[Any], owner: str, now: datetime, result: dict[str, Any]
) -> None:
    """Messages leased by `owner` delivered together (the lines of one digest)."""
    await STORE.collection().update_many(
        {"_id": {"$in": message_ids}, "lease_owner": owner},
        {
            "$set": {
                "status": OutboxStatus.DELIVERED.value,
                "delivered_at": now,
                "result": result,
                "last_error": None,
                "lease_owner": None,
                "lease_expires_at": None,
                **DELIVERED_CLEARS,
            }
        },
    )


async def hand_back(message_ids: list[Any], owner: str) -> None:
    """Messages leased by `owner` back to the queue untouched."""
    await STORE.collection().update_many(
        {"_id": {"$in": message_ids}, "lease_owner": owner},
        {
            "$set": {
                "status": OutboxStatus.PENDING.value,
                "lease_owner": None,
                "lease_expires_at": None,
            }
        },
    )


async def hand_back_all(owners: list[str]) -> int:
    """Every message in flight leased by one of `owners` back to the queue; how many."""
    result = await STORE.collection().update_many(
        {"lease_owner": {"$in": owners}, "status": OutboxStatus.IN_FLIGHT.value},
        {
            "$set": {
                "status": OutboxStatus.PENDING.value,
                "lease_owner": None,
                "lease_expires_at": None,
            }
        },
    )
    return result.modified_count


async def count_pending(kind: str, channel: str) -> int:
    """Messages of a kind waiting for a channel (not counting leased ones)."""
    return await STORE.collection().count_documents(
        {"kind": kind, "channel": channel, "status": OutboxStatus.PENDING.value}
    )


async def count_undelivered(channel: str | None) -> int:
    """Messages pending, in flight or held, for one channel or all."""
    query: dict[str, Any] = {"status": {"$in": _UNDELIVERED}}
    if channel is not None:
        query["channel"] = channel
    return await STORE.collection().count_documents(query)


async def backlog(waiting: Iterable[OutboxStatus]) -> list[Raw]:
    """Messages in the `waiting` statuses by kind, channel and status (`_id`), with
    their `count` and the `oldest` creation time, in one aggregation."""
    pipeline: list[dict[str, Any]] = [
        {"$match": {"status": {"$in": [status.value for status in waiting]}}},
        {
            "$group": {
                "_id": {"kind": "$kind", "channel": "$channel", "status": "$status"},
                "count": {"$sum": 1},
                "oldest": {"$min": "$created_at"},
            }
        },
    ]
    cursor = await STORE.collection().aggregate(pipeline)
    return [row async for row in cursor]


async def clear_delivered(dry_run: bool) -> int:
    """Clear what delivered messages still hold of people; how many were (or would
    be) cleared."""
    query = {
        "status": OutboxStatus.DELIVERED.value,
        "$or": [{"payload": {"$ne": {}}}, {"subject_ids": {"$ne": []}}],
    }
    collection = STORE.collection()
    if dry_run:
        return await collection.count_documents(query)
    return (await collection.update_many(query, {"$set": DELIVERED_CLEARS})).modified_count


async def delete_settled(
    delivered_before: datetime, undelivered_before: datetime, dry_run: bool
) -> int:
    """Delete messages delivered or given up before `delivered_before`, and those still
    undelivered since `undelivered_before` or earlier; how many were (or would be)."""
    query = {
        "$or": [
            {
                "status": OutboxStatus.DELIVERED.value,
                "delivered_at": {"$lt": delivered_before},
            },
            {"status": OutboxStatus.FAILED.value, "created_at": {"$lt": delivered_before}},
            {"status": {"$in": _UNDELIVERED}, "created_at": {"$lte": undelivered_before}},
        ]
    }
    collection = STORE.collection()
    if dry_run:
        return await collection.count_documents(query)
    return (await collection.delete_many(query)).deleted_count


async def delete_waiting_about(user_id: str) -> int:
    """Delete the undelivered (pending, held or failed) messages about a person."""
    result = await STORE.collection().delete_many(
        {"subject_ids": user_id, "status": {"$in": _WAITING}}
    )
    return result.deleted_count


async def forget_subjects_of_follow_ups(follow_up_ids: list[str]) -> None:
    """The messages about these follow-ups are about nobody now (retention)."""
    await STORE.collection().update_many(
        {"payload.follow_up_id": {"$in": follow_up_ids}},
        {"$set": {"subject_ids": []}},
    )


async def readdress_waiting_mail(kind: str, user_ids: list[str], email: str) -> int:
    """Send the waiting (pending, held or failed) e-mails of `kind` about these people to
    their corrected address; how many changed."""
    result = await STORE.collection().update_many(
        {
            "kind": kind,
            "subject_ids": {"$in": user_ids},
            "status": {"$in": _WAITING},
            "payload.to": {"$ne": email},
        },
        {"$set": {"payload.to": email}},
    )
    return result.modified_count


async def delivery_of(message_id: Any) -> Raw | None:
    """A message's status and when it was delivered (None if it is gone)."""
    raw: Raw | None = await STORE.collection().find_one(
        {"_id": message_id}, projection={"status": 1, "delivered_at": 1}
    )
    return raw


async def id_of(key: str, session: AsyncClientSession | None = None) -> Any | None:
    """The id of the message queued under `key` (None if there is none); in the
    caller's transaction with `session`."""
    raw = await STORE.collection().find_one({"key": key}, projection={"_id": 1}, session=session)
    return raw["_id"] if raw else None


async def with_ids(message_ids: list[Any]) -> list[OutboxMessage]:
    """The messages with these ids that still exist."""
    return await OutboxMessage.find({"_id": {"$in": message_ids}}).to_list()
