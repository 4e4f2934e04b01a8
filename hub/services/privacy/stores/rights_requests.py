"""The raw queries on `rights_requests`: the rights requests."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pymongo.asynchronous.cursor import AsyncCursor

from hub.models.privacy import (
    IdentityConfirmation,
    RightsRequest,
    RightsRequestStatus,
    StatusChange,
    SubjectMessage,
    VerificationMethod,
)
from hub.services.platform.store import CollectionStore, Raw

STORE = CollectionStore(RightsRequest)


async def _changed(query: dict[str, Any], update: dict[str, Any]) -> Raw | None:
    """Apply `update` to the request matching `query`; the request after, or None."""
    raw: Raw | None = await STORE.collection().find_one_and_update(
        query, update, return_document=True
    )
    return raw


async def by_due_date(query: dict[str, Any], limit: int) -> list[RightsRequest]:
    """Up to `limit` of the requests matching `query`, soonest due first."""
    return await RightsRequest.find(query).sort("+due_on", "+received_at").limit(limit).to_list()


async def count_with_status(status: str) -> int:
    return await STORE.collection().count_documents({"status": status})


async def count_due_before(statuses: list[str], before: datetime) -> int:
    """How many requests in one of `statuses` are due before `before`."""
    return await STORE.collection().count_documents(
        {"status": {"$in": statuses}, "due_on": {"$lt": before}}
    )


async def move(
    request_id: Any, from_status: str, values: Mapping[str, Any], change: StatusChange
) -> Raw | None:
    """Set `values` (the new status among them) on a request still in `from_status`
    and add `change` to its history; None if it moved meanwhile."""
    return await _changed(
        {"_id": request_id, "status": from_status},
        {"$set": dict(values), "$push": {"history": change.model_dump(mode="python")}},
    )


async def extend(
    request_id: Any, reason: str, due_on: datetime, handled_by: str | None
) -> Raw | None:
    """Move the due date of a request not extended yet; None if it was."""
    return await _changed(
        {"_id": request_id, "extended": False},
        {
            "$set": {
                "extended": True,
                "extension_reason": reason,
                "due_on": due_on,
                "handled_by": handled_by,
            }
        },
    )


async def note_verification_sent(request_id: Any, now: datetime) -> None:
    await STORE.collection().update_one(
        {"_id": request_id}, {"$set": {"verification_sent_at": now}}
    )


async def mark_verified(request_id: Any, change: StatusChange) -> Raw | None:
    """A RECEIVED, unlocked request verified by its e-mail link; None otherwise."""
    return await _changed(
        {"_id": request_id, "status": RightsRequestStatus.RECEIVED.value, "locked": False},
        {
            "$set": {
                "status": RightsRequestStatus.VERIFIED.value,
                "verification": VerificationMethod.EMAIL_LINK.value,
            },
            "$push": {"history": change.model_dump(mode="python")},
        },
    )


async def count_failed_verification(request_id: Any) -> Raw | None:
    """One more wrong or expired link; the request after (None if it is gone)."""
    return await _changed({"_id": request_id}, {"$inc": {"verification_failures": 1}})


async def lock(request_id: Any) -> None:
    await STORE.collection().update_one({"_id": request_id}, {"$set": {"locked": True}})


async def confirm_identities(
    request_id: Any,
    open_statuses: list[str],
    user_ids: list[str],
    emails: list[str],
    confirmation: IdentityConfirmation,
    handled_by: str | None,
) -> Raw | None:
    """Add confirmed identities to an open request; None if it is no longer open."""
    return await _changed(
        {"_id": request_id, "status": {"$in": open_statuses}},
        {
            "$addToSet": {
                "confirmed_user_ids": {"$each": user_ids},
                "confirmed_emails": {"$each": emails},
            },
            "$push": {"identity_confirmations": confirmation.model_dump(mode="python")},
            "$set": {"handled_by": handled_by},
        },
    )


async def record_message(request_id: Any, message: SubjectMessage) -> Raw | None:
    """Record a message to the person, once per kind; None if one was recorded."""
    return await _changed(
        {"_id": request_id, "messages.kind": {"$ne": message.kind.value}},
        {"$push": {"messages": message.model_dump(mode="python")}},
    )


async def set_values(request_id: Any, values: Mapping[str, Any]) -> Raw | None:
    """Set `values` on a request; the request after (None if it is gone)."""
    return await _changed({"_id": request_id}, {"$set": dict(values)})


async def lift_restriction(
    request_id: Any, now: datetime, handled_by: str | None, lifted: Mapping[str, Any]
) -> Raw | None:
    """End a request's restriction with what lifting it did; None if it was lifted."""
    return await _changed(
        {"_id": request_id, "restriction_active": True},
        {
            "$set": {
                "restriction_active": False,
                "restriction_lifted_at": now,
                "handled_by": handled_by,
                "outcome.lifted": dict(lifted),
            }
        },
    )


async def drop_legacy_exports() -> int:
    """Remove the exports earlier versions kept on the requests; how many there were."""
    legacy = await STORE.collection().update_many(
        {"export": {"$exists": True}}, {"$unset": {"export": ""}}
    )
    return legacy.modified_count


def closed_naming_someone(statuses: list[str], received_before: datetime) -> AsyncCursor[Raw]:
    """The requests in one of `statuses`, received by `received_before`, that still
    name the person (identity, message, corrections, confirmed identities): their
    `received_at` and the times of their history."""
    named: list[dict[str, Any]] = [
        {path: {"$ne": None}}
        for path in ("subject.email", "subject.user_id", "message", "verification_note")
    ]
    named += [
        {"corrections": {"$ne": None}},
        {"confirmed_user_ids.0": {"$exists": True}},
        {"confirmed_emails.0": {"$exists": True}},
    ]
    return STORE.collection().find(
        {
            "status": {"$in": statuses},
            "received_at": {"$lte": received_before},  # closed after it was received
            "$or": named,
        },
        projection={"received_at": 1, "history.at": 1},
    )


async def set_on(request_ids: list[Any], values: Mapping[str, Any]) -> None:
    """Set `values` on these requests (the anonymised ones, by retention)."""
    await STORE.collection().update_many({"_id": {"$in": request_ids}}, {"$set": dict(values)})
