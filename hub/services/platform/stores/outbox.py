"""The raw queries on `outbox`: leasing, settling and releasing messages, the backlog,
and what retention, erasure and rectification change in them
(hub/services/platform/outbox.py)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from pymongo import UpdateMany
from pymongo.asynchronous.client_session import AsyncClientSession

from hub.db import Database
from hub.models.outbox import OutboxMessage, OutboxStatus
from hub.services.platform.store import CollectionStore, Raw

STORE = CollectionStore(OutboxMessage)

# A delivered message is a receipt: its key (ids or keyed hashes only) keeps a second
# one from being queued, its result holds ids (a Slack channel and ts); the payload
# (an address, a text) and whom it was about go at once.
DELIVERED_CLEARS: dict[str, Any] = {"payload": {}, "subject_ids": []}
_UNLEASED = {"lease_owner": None, "lease_expires_at": None, "lease_token": None}
_WAITING = [OutboxStatus.PENDING.value, OutboxStatus.FAILED.value, OutboxStatus.HELD.value]
_UNDELIVERED = [
    OutboxStatus.PENDING.value,
    OutboxStatus.IN_FLIGHT.value,
    OutboxStatus.HELD.value,
]
# One channel's due messages, oldest first: the order of the `due_by_channel` index,
# so the claim reads an index range up to its limit (no sort of the whole range).
_DUE_ORDER = [("next_attempt_at", 1)]


async def expire_leases(now: datetime) -> int:
    """Messages whose lease ran out (their process died or hung) back in the queue,
    keeping their place; how many."""
    result = await STORE.collection().update_many(
        {"status": OutboxStatus.IN_FLIGHT.value, "lease_expires_at": {"$lte": now}},
        {"$set": {"status": OutboxStatus.PENDING.value} | _UNLEASED},
    )
    return result.modified_count


async def channels_waiting() -> list[str]:
    """The channels with a pending message, due or not (a distinct scan of the
    `due_by_channel` index's second field)."""
    found = await STORE.collection().distinct("channel", {"status": OutboxStatus.PENDING.value})
    return sorted(str(channel) for channel in found)


async def lease_due(
    channel: str,
    kinds: list[str],
    owner: str,
    token: str,
    now: datetime,
    expires_at: datetime,
    limit: int,
) -> list[Raw]:
    """Lease up to `limit` due pending messages of `kinds` for one channel, oldest
    first, under the claim `token`; the leased messages in that order.

    The messages come from a range of the `due_by_channel` index read up to `limit`,
    and only those still pending are taken, in one update, so of two claims racing for
    a message exactly one gets it. When the update took every one read, they are all
    this claim's (nothing else sets a pending message in flight, and what this update
    leased stays leased until it is settled or runs out), and the read is what was
    leased: two commands. When it took fewer, another claim (or an erasure, a release)
    came between, and what carries this claim's token is read back. The kinds are
    picked out of what was read (a channel's messages are for one receiver, whose
    kinds one dispatcher handles), keeping the read a plain index range."""
    collection = STORE.collection()
    due = {
        "status": OutboxStatus.PENDING.value,
        "channel": channel,
        "next_attempt_at": {"$lte": now},
    }
    read = [
        row
        async for row in collection.find(due, sort=_DUE_ORDER, limit=limit)
        if row.get("kind") in kinds
    ]
    if not read:
        return []
    ids = [row["_id"] for row in read]
    lease = {
        "status": OutboxStatus.IN_FLIGHT.value,
        "lease_owner": owner,
        "lease_expires_at": expires_at,
        "lease_token": token,
    }
    # Each taken only as it was read (its attempts too: one claimed, tried and put
    # back in between is not taken on what was read before that).
    by_attempts: dict[int, list[Any]] = {}
    for row in read:
        by_attempts.setdefault(row.get("attempts", 0), []).append(row["_id"])
    as_read = [{"_id": {"$in": same}, "attempts": n} for n, same in by_attempts.items()]
    taken = await collection.update_many(
        {"status": OutboxStatus.PENDING.value}
        | (as_read[0] if len(as_read) == 1 else {"$or": as_read}),
        {"$set": lease, "$inc": {"attempts": 1}},
    )
    if taken.modified_count == len(ids):
        return [row | lease | {"attempts": row.get("attempts", 0) + 1} for row in read]
    if not taken.modified_count:
        return []
    leased = await collection.find({"_id": {"$in": ids}, "lease_token": token}).to_list()
    mine = {row["_id"]: row for row in leased}
    return [mine[message_id] for message_id in ids if message_id in mine]


def retry(error: str, next_attempt_at: datetime | None) -> dict[str, Any]:
    """Back in the queue; without `next_attempt_at` it keeps its place (a channel
    pause holds it back) and the attempt is not counted (the receiver refused it
    before doing anything)."""
    update: dict[str, Any] = {
        "$set": {"status": OutboxStatus.PENDING.value, "last_error": error} | _UNLEASED
    }
    if next_attempt_at is not None:
        update["$set"]["next_attempt_at"] = next_attempt_at
    else:
        update["$inc"] = {"attempts": -1}
    return update


def delivered(now: datetime, result: dict[str, Any] | None) -> dict[str, Any]:
    """A receipt now: delivered, without payload or subjects."""
    values = {
        "status": OutboxStatus.DELIVERED.value,
        "delivered_at": now,
        "result": result,
        "last_error": None,
        **DELIVERED_CLEARS,
    }
    return {"$set": values | _UNLEASED}


def held(reason: str) -> dict[str, Any]:
    """Refused for a reason a person can fix: kept aside, out of the queue, until
    released."""
    return {"$set": {"status": OutboxStatus.HELD.value, "last_error": reason} | _UNLEASED}


def failed(error: str) -> dict[str, Any]:
    return {"$set": {"status": OutboxStatus.FAILED.value, "last_error": error} | _UNLEASED}


def handed_back() -> dict[str, Any]:
    """Back in the queue untouched: not attempted, so not counted as an attempt."""
    return {"$set": {"status": OutboxStatus.PENDING.value} | _UNLEASED, "$inc": {"attempts": -1}}


async def settle(owner: str, updates: list[tuple[Any, str | None, dict[str, Any]]]) -> None:
    """Apply `(message id, claim token, update)` to each message still leased by
    `owner` under that claim, in one command, with one statement per distinct update
    (a digest's lines are settled together); a lease that ran out and was taken over
    is left alone."""
    same: dict[tuple[str | None, str], tuple[dict[str, Any], list[Any]]] = {}
    for message_id, token, update in updates:
        same.setdefault((token, repr(update)), (update, []))[1].append(message_id)
    if not same:
        return
    await STORE.collection().bulk_write(
        [
            UpdateMany({"_id": {"$in": ids}, "lease_owner": owner, "lease_token": token}, update)
            for (token, _), (update, ids) in same.items()
        ],
        ordered=False,
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


async def hand_back_all(owner: str) -> int:
    """Every message in flight leased by `owner` back to the queue; how many. Their
    attempts stay counted: one may have been in hand, its outcome unknown."""
    result = await STORE.collection().update_many(
        {"status": OutboxStatus.IN_FLIGHT.value, "lease_owner": owner},
        {"$set": {"status": OutboxStatus.PENDING.value} | _UNLEASED},
    )
    return result.modified_count


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
