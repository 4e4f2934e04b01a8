"""The raw queries on `follow_ups`: the follow-ups of comments."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.cursor import AsyncCursor

from hub.models.followup import FollowUp, FollowUpStatus
from hub.services.platform.store import CollectionStore, Raw

STORE = CollectionStore(FollowUp)


async def _changed(
    follow_up_id: Any,
    query: dict[str, Any],
    update: dict[str, Any],
    session: AsyncClientSession,
) -> Raw | None:
    """Apply `update` if the follow-up matches `query`, with a new version, in the
    caller's transaction; the follow-up after, or None."""
    update.setdefault("$inc", {})["version"] = 1
    return await STORE.update_then_read({"_id": follow_up_id, **query}, update, session)


async def claim(
    follow_up_id: Any, actor: dict[str, Any], now: datetime, session: AsyncClientSession
) -> Raw | None:
    """Claim an open follow-up for `actor`; None if it is not open."""
    return await _changed(
        follow_up_id,
        {"status": FollowUpStatus.OPEN.value},
        {
            "$set": {
                "status": FollowUpStatus.CLAIMED.value,
                "claimed_by": actor,
                "claimed_at": now,
            },
            "$unset": {"assigned_by": ""},
        },
        session,
    )


async def unclaim(
    follow_up_id: Any, claimer_id: str | None, session: AsyncClientSession
) -> Raw | None:
    """Hand a claimed follow-up back (only if claimed by `claimer_id`, unless None)."""
    query: dict[str, Any] = {"status": FollowUpStatus.CLAIMED.value}
    if claimer_id is not None:
        query["claimed_by.id"] = claimer_id
    return await _changed(
        follow_up_id,
        query,
        {
            "$set": {"status": FollowUpStatus.OPEN.value},
            "$unset": {"claimed_by": "", "claimed_at": "", "assigned_by": ""},
        },
        session,
    )


async def reassign(
    follow_up_id: Any,
    claimer_id: str | None,
    to: dict[str, Any],
    by: dict[str, Any],
    now: datetime,
    session: AsyncClientSession,
) -> Raw | None:
    """Hand a follow-up to `to`: an open one, or one claimed (by `claimer_id`, unless
    None) by someone else; None if it is not."""
    claimed: dict[str, Any] = {"status": FollowUpStatus.CLAIMED.value}
    if claimer_id is not None:
        claimed["claimed_by.id"] = claimer_id
    return await _changed(
        follow_up_id,
        {
            "$or": [{"status": FollowUpStatus.OPEN.value}, claimed],
            "claimed_by.id": {"$ne": to["id"]},
        },
        {
            "$set": {
                "status": FollowUpStatus.CLAIMED.value,
                "claimed_by": to,
                "claimed_at": now,
                "assigned_by": by,
            }
        },
        session,
    )


async def reopen(
    follow_up_id: Any, reopening: dict[str, Any], session: AsyncClientSession
) -> Raw | None:
    """Put a resolved follow-up back in the queue (its last resolution is kept);
    None if it is not resolved."""
    return await _changed(
        follow_up_id,
        {"status": FollowUpStatus.RESOLVED.value},
        {
            "$set": {"status": FollowUpStatus.OPEN.value, "reopened": reopening},
            "$unset": {"claimed_by": "", "claimed_at": "", "assigned_by": ""},
        },
        session,
    )


async def resolve(
    follow_up_id: Any,
    claimer_id: str | None,
    resolution: dict[str, Any],
    claimed_by: dict[str, Any] | None,
    now: datetime,
    session: AsyncClientSession,
) -> Raw | None:
    """Resolve a follow-up that is open, or claimed (by `claimer_id`, unless None);
    with `claimed_by`, it is claimed by them too."""
    allowed: list[dict[str, Any]] = [{"status": FollowUpStatus.OPEN.value}]
    claimed: dict[str, Any] = {"status": FollowUpStatus.CLAIMED.value}
    if claimer_id is not None:
        claimed["claimed_by.id"] = claimer_id
    allowed.append(claimed)
    set_fields: dict[str, Any] = {"status": FollowUpStatus.RESOLVED.value, "resolution": resolution}
    if claimed_by is not None:
        set_fields |= {"claimed_by": claimed_by, "claimed_at": now}
    return await _changed(follow_up_id, {"$or": allowed}, {"$set": set_fields}, session)


async def add_customer_reply(
    follow_up_id: Any,
    claimer_id: str,
    reply: dict[str, Any],
    informed_at: datetime | None,
    session: AsyncClientSession,
) -> Raw | None:
    """Record a reply to the customer on a follow-up that `claimer_id` still has
    claimed, with a new version (and, with `informed_at`, when the customer was first
    informed); the follow-up after, or None if it is no longer theirs."""
    update: dict[str, Any] = {"$push": {"customer_replies": reply}, "$inc": {"version": 1}}
    if informed_at is not None:
        update["$set"] = {"customer_informed_at": informed_at}
    return await STORE.update_then_read(
        {"_id": follow_up_id, "status": FollowUpStatus.CLAIMED.value, "claimed_by.id": claimer_id},
        update,
        session,
    )


async def add_post(
    follow_up_ids: list[Any], channel_id: str, ts: str, post: dict[str, Any]
) -> None:
    """Remember a Slack message on these follow-ups (once per message)."""
    await STORE.collection().update_many(
        {
            "_id": {"$in": follow_up_ids},
            "posts": {"$not": {"$elemMatch": {"channel_id": channel_id, "ts": ts}}},
        },
        {"$push": {"posts": post}},
    )


async def add_one_post(follow_up_id: Any, channel_id: str, ts: str, post: dict[str, Any]) -> None:
    """Remember a Slack message on one follow-up (once per message)."""
    await STORE.collection().update_one(
        {
            "_id": follow_up_id,
            "posts": {"$not": {"$elemMatch": {"channel_id": channel_id, "ts": ts}}},
        },
        {"$push": {"posts": post}},
    )


async def count_by_status() -> dict[FollowUpStatus, int]:
    """How many follow-ups are in each status (each count runs on the status index)."""
    collection = STORE.collection()
    return {
        status: await collection.count_documents({"status": status.value})
        for status in FollowUpStatus
    }


async def mark_redacted(follow_up_id: Any) -> None:
    await STORE.collection().update_one(
        {"_id": follow_up_id}, {"$set": {"redacted": True}, "$inc": {"version": 1}}
    )


async def unredact_subjects(user_ids: list[str]) -> int:
    """Show these people's redacted follow-ups again, each with a new version; how many."""
    result = await STORE.collection().update_many(
        {"subject_id": {"$in": user_ids}, "redacted": True},
        {"$set": {"redacted": False}, "$inc": {"version": 1}},
    )
    return result.modified_count


def post_channels_of(subject_ids: list[str]) -> AsyncCursor[Raw]:
    """The follow-ups about these people: the channels of their posts."""
    return STORE.collection().find(
        {"subject_id": {"$in": subject_ids}}, projection={"posts.channel_id": 1}
    )


def noted_matching(pattern: str) -> AsyncCursor[Raw]:
    """The follow-ups whose resolution note matches `pattern` (a regular expression,
    ignoring case)."""
    return STORE.collection().find({"resolution.note": {"$regex": pattern, "$options": "i"}})


async def set_resolution_note(follow_up_id: Any, note: str) -> None:
    await STORE.collection().update_one({"_id": follow_up_id}, {"$set": {"resolution.note": note}})


def reopened_of_responses(response_ids: list[Any]) -> AsyncCursor[Raw]:
    """The follow-ups of these responses that were reopened: the reason."""
    return STORE.collection().find(
        {"response_id": {"$in": response_ids}, "reopened.reason": {"$type": "string"}},
        projection={"reopened.reason": 1},
    )


async def set_reopen_reason(follow_up_id: Any, reason: str) -> None:
    await STORE.collection().update_one(
        {"_id": follow_up_id}, {"$set": {"reopened.reason": reason}}
    )


async def count_of_responses(response_ids: list[Any]) -> int:
    return await FollowUp.find({"response_id": {"$in": response_ids}}).count()


def noted_of_responses(response_ids: list[Any]) -> AsyncCursor[Raw]:
    """The follow-ups of these responses with a resolution note: the note."""
    return STORE.collection().find(
        {"response_id": {"$in": response_ids}, "resolution.note": {"$type": "string"}},
        projection={"resolution.note": 1},
    )


async def redact_replies_of_responses(response_ids: list[Any], marker: str) -> int:
    """Replace the text and address of every reply to the customer on the follow-ups
    of these responses by `marker`; how many follow-ups changed."""
    result = await STORE.collection().update_many(
        {"response_id": {"$in": response_ids}, "customer_replies.sent_at": {"$type": "date"}},
        {"$set": {"customer_replies.$[].text": marker, "customer_replies.$[].to": marker}},
    )
    return result.modified_count


async def set_subject_of_responses(response_ids: list[Any], subject_id: str | None) -> int:
    """Make the follow-ups of these responses about `subject_id`; how many changed."""
    result = await STORE.collection().update_many(
        {"response_id": {"$in": response_ids}}, {"$set": {"subject_id": subject_id}}
    )
    return result.modified_count


async def ids_of_responses(response_ids: list[Any]) -> list[str]:
    """The ids of the follow-ups of these responses."""
    return [
        str(raw["_id"])
        async for raw in STORE.collection().find(
            {"response_id": {"$in": response_ids}}, projection={"_id": 1}
        )
    ]


async def ids_by_response(response_ids: list[Any]) -> dict[Any, str]:
    """The follow-up id of each of these responses that has one, by response id."""
    return {
        raw["response_id"]: str(raw["_id"])
        async for raw in STORE.collection().find(
            {"response_id": {"$in": response_ids}}, projection={"_id": 1, "response_id": 1}
        )
    }


async def post_channels_since(since: datetime) -> list[str]:
    """The Slack channels holding messages about follow-ups that are open or were
    opened since `since`, each once."""
    cursor = await STORE.collection().aggregate(
        [
            {
                "$match": {
                    "$or": [
                        {"status": FollowUpStatus.OPEN.value},
                        {"created_at": {"$gte": since}},
                    ]
                }
            },
            {"$unwind": "$posts"},
            {"$group": {"_id": "$posts.channel_id"}},
        ]
    )
    channels = [str(raw["_id"]) async for raw in cursor if raw.get("_id")]
    return sorted(channels)


async def survey_keys_posted_in(channels: list[str], since: datetime) -> list[str]:
    """The surveys of the follow-ups opened since `since` with a message in one of
    these channels."""
    found: list[str] = await STORE.collection().distinct(
        "survey_key", {"posts.channel_id": {"$in": channels}, "created_at": {"$gte": since}}
    )
    return sorted(found)


async def mark_reminded(follow_up_id: Any, stage: str) -> None:
    """Remember that the reminder of `stage` was queued (not a change Slack shows)."""
    await STORE.collection().update_one(
        {"_id": follow_up_id}, {"$addToSet": {"reminders_sent": stage}}
    )


def waiting(status: FollowUpStatus, since_field: str, before: datetime) -> AsyncCursor[Raw]:
    """The follow-ups in Slack with `status` whose `since_field` is before `before`,
    oldest first: the candidates for a reminder."""
    return (
        STORE.collection()
        .find({"status": status.value, "posts.0": {"$exists": True}, since_field: {"$lte": before}})
        .sort([(since_field, 1), ("_id", 1)])
    )
