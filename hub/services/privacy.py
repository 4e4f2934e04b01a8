"""Executing rights requests over every collection the registry lists.

Erasure and objection remove the person from every collection (documents deleted or
anonymised, as the registry says), drop their undelivered messages, redact their
Slack messages, redact their e-mail address, user id or username where other people
quoted them, and keep only keyed hashes of their identity in the suppression list.
Running either twice changes nothing the second time.

Other features register a `SubjectHook` to be told about erasure and restriction
(the analytics rollups do)."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from pymongo.asynchronous.client_session import AsyncClientSession

from hub.clock import Clock
from hub.errors import Conflict, ErrorCode
from hub.models.followup import FollowUp
from hub.models.outbox import OutboxMessage, OutboxStatus
from hub.models.privacy import (
    AuditActor,
    Corrections,
    RightsRequest,
    RightsRequestStatus,
    RightsRequestType,
    StatusChange,
)
from hub.models.response import Response
from hub.models.suppression import Suppression, SuppressionReason
from hub.services.audit import AuditService
from hub.services.followups import FollowUpService
from hub.services.mail import EMAIL_KIND
from hub.services.outbox import OutboxService
from hub.services.privacy_exports import PrivacyExports
from hub.services.privacy_registry import (
    REDACTED,
    CollectionEntry,
    OnErasure,
    Rectifies,
    entry_for,
    subject_entries,
)
from hub.services.rights import RightsRequestService
from hub.services.suppression import SuppressionService

log = logging.getLogger("hub.privacy")

Counts = dict[str, int]
MIN_QUOTED_LENGTH = 3  # shorter ids or usernames would match ordinary words


@dataclass(frozen=True)
class Identity:
    """Everything that names one person: what the request gave, and what the
    collections link to it (a user id found with their e-mail address, and so on)."""

    user_ids: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    usernames: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.user_ids and not self.emails

    def quoted_terms(self) -> list[str]:
        terms = {*self.emails, *self.user_ids, *self.usernames}
        return sorted(
            (term for term in terms if len(term) >= MIN_QUOTED_LENGTH), key=len, reverse=True
        )


class SubjectHook(Protocol):
    """A feature that keeps data derived from people (rollups, caches) and must
    follow erasure and restriction. Each method returns how many items it changed."""

    name: str

    async def erase(self, user_ids: list[str], emails: list[str]) -> int: ...

    async def restrict(self, user_ids: list[str], emails: list[str]) -> int: ...

    async def lift(self, user_ids: list[str], emails: list[str]) -> int: ...


@dataclass
class SubjectHooks:
    hooks: list[SubjectHook] = field(default_factory=list)

    def register(self, hook: SubjectHook) -> None:
        self.hooks.append(hook)

    async def erase(self, identity: Identity) -> Counts:
        return {
            hook.name: await hook.erase(list(identity.user_ids), list(identity.emails))
            for hook in self.hooks
        }

    async def restrict(self, identity: Identity) -> Counts:
        return {
            hook.name: await hook.restrict(list(identity.user_ids), list(identity.emails))
            for hook in self.hooks
        }

    async def lift(self, identity: Identity) -> Counts:
        return {
            hook.name: await hook.lift(list(identity.user_ids), list(identity.emails))
            for hook in self.hooks
        }


class SuppressedSubjects:
    """The suppression list as follow-ups ask it: a person who objected, was erased or
    whose data is restricted gets no follow-up and no Slack post."""

    def __init__(self, suppressions: SuppressionService) -> None:
        self.suppressions = suppressions

    async def is_suppressed(self, user_id: str, session: AsyncClientSession) -> bool:
        return await self.suppressions.is_suppressed(user_id=user_id)


def _subject_filter(entry: CollectionEntry, identity: Identity) -> dict[str, Any] | None:
    clauses: list[dict[str, Any]] = []
    if entry.subject_path and identity.user_ids:
        clauses.append({entry.subject_path: {"$in": list(identity.user_ids)}})
    if entry.email_path and identity.emails:
        clauses.append({entry.email_path: {"$in": list(identity.emails)}})
    if entry.model is OutboxMessage and identity.emails:
        clauses.append({"payload.to": {"$in": list(identity.emails)}})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$or": clauses}


def redact_quotes(text: str, terms: Iterable[str]) -> str:
    """`text` with every whole occurrence of the terms replaced by the marker."""
    for term in terms:
        pattern = re.compile(rf"(?<![\w@.+-]){re.escape(term)}(?![\w@-])", re.IGNORECASE)
        text = pattern.sub(REDACTED, text)
    return text


class PrivacyService:
    """Runs rights requests (see the module's docstring)."""

    def __init__(
        self,
        clock: Clock,
        rights: RightsRequestService,
        audit: AuditService,
        suppressions: SuppressionService,
        outbox: OutboxService,
        follow_ups: FollowUpService,
        exports: PrivacyExports,
        hooks: SubjectHooks | None = None,
    ) -> None:
        self.exports = exports
        self.clock = clock
        self.rights = rights
        self.audit = audit
        self.suppressions = suppressions
        self.outbox = outbox
        self.follow_ups = follow_ups
        self.hooks = hooks or SubjectHooks()

    # -- finding the person

    async def resolve(self, user_id: str | None, email: str | None) -> Identity:
        """The person's user ids, e-mail addresses and usernames across collections."""
        user_ids = {user_id} if user_id else set()
        # As given and lower-cased: stored addresses keep the local part's case.
        emails = {email, email.lower()} if email else set()
        usernames: set[str] = set()
        for entry in subject_entries():
            if entry.email_path is None or not entry.subject_path:
                continue
            base = entry.subject_path.rsplit(".", 1)[0]
            clauses: list[dict[str, Any]] = []
            if user_ids:
                clauses.append({entry.subject_path: {"$in": sorted(user_ids)}})
            if emails:
                clauses.append({entry.email_path: {"$in": sorted(emails)}})
            if not clauses:
                continue
            cursor = entry.model.get_pymongo_collection().find(
                {"$or": clauses}, projection={base: 1}
            )
            async for raw in cursor:
                user = raw.get(base) or {}
                if user.get("id"):
                    user_ids.add(user["id"])
                if user.get("email"):
                    emails |= {str(user["email"]), str(user["email"]).lower()}
                if user.get("username"):
                    usernames.add(user["username"])
        user_ids.discard("anonymous")
        return Identity(tuple(sorted(user_ids)), tuple(sorted(emails)), tuple(sorted(usernames)))

    async def restricted_flags(self, user_ids: list[str]) -> list[bool]:
        """For each user id, whether their data is restricted (masked for everyone
        but privacy officers). One query for all of them."""
        digests = {user_id: self.suppressions.hmacs(user_id=user_id) for user_id in user_ids}
        wanted = [digest for found in digests.values() for digest in found]
        restricted = {
            raw["identity_hmac"]
            async for raw in Suppression.get_pymongo_collection().find(
                {
                    "identity_hmac": {"$in": wanted},
                    "reason": SuppressionReason.RESTRICTION.value,
                },
                projection={"identity_hmac": 1},
            )
        }
        return [bool(set(digests[user_id]) & restricted) for user_id in user_ids]

    def hmacs(self, identity: Identity) -> list[str]:
        found = [self.suppressions.hmacs(user_id=user_id)[0] for user_id in identity.user_ids]
        found += [self.suppressions.hmacs(email=email)[0] for email in identity.emails]
        return sorted(set(found))

    # -- executing a request

    async def execute(self, request_id: str, actor: AuditActor) -> RightsRequest:
        """Carry out a VERIFIED or IN_PROGRESS request; it becomes COMPLETED with what
        was done, per step and collection, stored on it."""
        request = await self.rights.get(request_id)
        if request.status not in (RightsRequestStatus.VERIFIED, RightsRequestStatus.IN_PROGRESS):
            raise Conflict(
                ErrorCode.NOT_EXECUTABLE,
                f"A {request.status.value} request cannot be executed.",
                "id",
            )
        if request.status is RightsRequestStatus.VERIFIED:
            request = await self.rights.transition(
                request_id, RightsRequestStatus.IN_PROGRESS, None, actor
            )
        identity = await self.resolve(request.subject.user_id, request.subject.email)
        hashes = self.hmacs(identity) or list(request.subject_hmacs)
        kind = request.type
        extra: dict[str, Any] = {}
        user_ids, emails = list(identity.user_ids), list(identity.emails)
        outcome: dict[str, Counts]
        if kind is RightsRequestType.ERASURE:
            outcome = await self.erase(identity, SuppressionReason.ERASURE)
        elif kind is RightsRequestType.OBJECTION:
            outcome = await self.erase(identity, SuppressionReason.OBJECTION)
        elif kind is RightsRequestType.ACCESS:
            export = await self.exports.access(user_ids, emails)
            extra["export"] = export
            outcome = {"exported": {name: len(docs) for name, docs in export["data"].items()}}
        elif kind is RightsRequestType.PORTABILITY:
            export = await self.exports.portability(user_ids, emails)
            extra["export"] = export
            outcome = {"exported": {"responses": len(export["responses"])}}
        elif kind is RightsRequestType.RECTIFICATION:
            if request.corrections is None:
                raise Conflict(
                    ErrorCode.NOT_EXECUTABLE,
                    "The request has no corrections; file them with fileRightsRequest.",
                    "id",
                )
            outcome = await self.rectify(identity, request.corrections)
        else:
            outcome = await self.restrict(identity)
            extra["restriction_active"] = True
        now = self.clock.now()
        change = StatusChange(
            status=RightsRequestStatus.COMPLETED, at=now, by=actor.key_id or actor.role
        )
        raw = await RightsRequest.get_pymongo_collection().find_one_and_update(
            {"_id": request.id, "status": RightsRequestStatus.IN_PROGRESS.value},
            {
                "$set": {
                    "status": RightsRequestStatus.COMPLETED.value,
                    "outcome": outcome,
                    "executed_at": now,
                    "handled_by": actor.key_id,
                    "subject_hmacs": sorted(set(request.subject_hmacs) | set(hashes)),
                    **extra,
                },
                "$push": {"history": change.model_dump(mode="python")},
            },
            return_document=True,
        )
        if raw is None:
            raise Conflict(
                ErrorCode.INVALID_TRANSITION, "The request changed meanwhile; reload it.", "id"
            )
        await self.audit.record(
            actor,
            f"rights_request.executed.{kind.value.lower()}",
            [str(request.id)],
            hashes,
            {"outcome": outcome},
        )
        log.info("executed rights request %s (%s)", request.id, kind.value)
        done: RightsRequest = RightsRequest.model_validate(raw)
        return await self.rights.messages.completion(request, done)

    # -- erasure and objection

    async def erase(self, identity: Identity, reason: SuppressionReason) -> dict[str, Counts]:
        """Remove the person everywhere; see the module's docstring. Idempotent."""
        outcome: dict[str, Counts] = {
            "slack": {},
            "erased": {},
            "quotes_redacted": {},
            "suppressed": {},
            "hooks": {},
        }
        if identity.empty:
            return outcome
        # The Slack messages first: redaction finds them by the follow-ups' subject.
        redacted = 0
        for user_id in identity.user_ids:
            redacted += await self.follow_ups.redact_subject(user_id)
        outcome["slack"]["messages_redacted"] = redacted
        # Then what other features derived from the person (rollups), while the
        # records they find the person by are still there.
        outcome["hooks"] = await self.hooks.erase(identity)
        for entry in subject_entries():
            if entry.model is RightsRequest:
                continue  # last: the request being executed is one of them
            outcome["erased"][entry.collection] = await self._erase_in(entry, identity)
        outcome["quotes_redacted"] = await self._redact_quotes(identity)
        outcome["suppressed"]["identities"] = await self._suppress(identity, reason)
        outcome["erased"]["rights_requests"] = await self._erase_in(
            entry_for(RightsRequest), identity
        )
        return outcome

    async def _erase_in(self, entry: CollectionEntry, identity: Identity) -> int:
        query = _subject_filter(entry, identity)
        if query is None:
            return 0
        collection = entry.model.get_pymongo_collection()
        if entry.on_erasure is OnErasure.DELETE:
            return (await collection.delete_many(query)).deleted_count
        changed = 0
        nested = {key: value for key, value in entry.anonymised.items() if "." in key}
        top = {key: value for key, value in entry.anonymised.items() if "." not in key}
        for key, value in nested.items():  # only where the parent exists
            parent = key.rsplit(".", 1)[0]
            result = await collection.update_many(
                {**query, parent: {"$ne": None}, key: {"$ne": value}}, {"$set": {key: value}}
            )
            changed = max(changed, result.modified_count)
        result = await collection.update_many(query, {"$set": top})
        return max(changed, result.modified_count)

    async def _redact_quotes(self, identity: Identity) -> Counts:
        """Other people's comments and notes that quote the person."""
        terms = identity.quoted_terms()
        counts: Counts = {"responses": 0, "follow_ups": 0}
        if not terms:
            return counts
        pattern = "|".join(re.escape(term) for term in terms)
        quoted = {"$regex": pattern, "$options": "i"}
        refresh: set[str] = set()
        async for raw in Response.get_pymongo_collection().find({"comment": quoted}):
            comment = redact_quotes(raw["comment"], terms)
            if comment != raw["comment"]:
                await Response.get_pymongo_collection().update_one(
                    {"_id": raw["_id"]}, {"$set": {"comment": comment}}
                )
                counts["responses"] += 1
                refresh.add(raw["user"]["id"])
        async for raw in FollowUp.get_pymongo_collection().find({"resolution.note": quoted}):
            note = redact_quotes(raw["resolution"]["note"], terms)
            if note != raw["resolution"]["note"]:
                await FollowUp.get_pymongo_collection().update_one(
                    {"_id": raw["_id"]}, {"$set": {"resolution.note": note}}
                )
                counts["follow_ups"] += 1
                refresh.add(raw["subject_id"])
        # Their Slack messages quoted the person too: rebuild them from the database.
        for user_id in sorted(refresh):
            await self.follow_ups.refresh_subject(user_id)
        return counts

    async def _suppress(self, identity: Identity, reason: SuppressionReason) -> int:
        """Add the person's keyed hashes; returns how many were not listed yet."""
        added = 0
        pairs: list[tuple[str | None, str | None]] = [(uid, None) for uid in identity.user_ids]
        pairs += [(None, email) for email in identity.emails]
        for user_id, email in pairs:
            if not await self.suppressions.is_suppressed(user_id, email):
                added += 1
            await self.suppressions.suppress(reason, user_id=user_id, email=email)
        return added

    # -- rectification

    async def rectify(self, identity: Identity, corrections: Corrections) -> dict[str, Counts]:
        """Apply the corrected values to every field the registry says holds them,
        pending e-mails included, and rebuild the person's Slack messages."""
        values = {
            Rectifies.EMAIL: corrections.email,
            Rectifies.USERNAME: corrections.username,
            Rectifies.COMPANY: corrections.company,
            Rectifies.COUNTRY: corrections.country,
        }
        changed: Counts = {}
        for entry in subject_entries():
            query = _subject_filter(entry, identity)
            if query is None or entry.model is OutboxMessage:
                continue
            updates = {
                path: values[attribute]
                for attribute, paths in entry.rectifiable().items()
                for path in paths
                if values[attribute] is not None
            }
            if not updates:
                continue
            result = await entry.model.get_pymongo_collection().update_many(
                {"$and": [query, {"$or": [{path: {"$ne": v}} for path, v in updates.items()]}]},
                {"$set": updates},
            )
            changed[entry.collection] = result.modified_count
        if corrections.email is not None and identity.user_ids:
            pending = await OutboxMessage.get_pymongo_collection().update_many(
                {
                    "kind": EMAIL_KIND,
                    "subject_ids": {"$in": list(identity.user_ids)},
                    "status": {"$in": [OutboxStatus.PENDING.value, OutboxStatus.FAILED.value]},
                    "payload.to": {"$ne": corrections.email},
                },
                {"$set": {"payload.to": corrections.email}},
            )
            changed["outbox"] = pending.modified_count
        refreshed = 0
        for user_id in identity.user_ids:
            refreshed += await self.follow_ups.refresh_subject(user_id)
        return {"rectified": changed, "slack": {"follow_ups_refreshed": refreshed}}

    # -- restriction

    async def restrict(self, identity: Identity) -> dict[str, Counts]:
        """Keep the data but stop processing it: never surveyed or posted (the
        suppression list, reason RESTRICTION), Slack messages redacted."""
        added = await self._suppress(identity, SuppressionReason.RESTRICTION)
        redacted = 0
        for user_id in identity.user_ids:
            redacted += await self.follow_ups.redact_subject(user_id)
        return {
            "suppressed": {"identities": added},
            "slack": {"messages_redacted": redacted},
            "hooks": await self.hooks.restrict(identity),
        }

    async def record_subject_notified(self, request_id: str, actor: AuditActor) -> RightsRequest:
        """The person was told that their restriction will be lifted."""
        request = await self._active_restriction(request_id)
        raw = await RightsRequest.get_pymongo_collection().find_one_and_update(
            {"_id": request.id},
            {"$set": {**await self.rights.messages.notified(request), "handled_by": actor.key_id}},
            return_document=True,
        )
        await self.audit.record(
            actor, "rights_request.subject_notified", [request_id], list(request.subject_hmacs)
        )
        notified: RightsRequest = RightsRequest.model_validate(raw)
        return notified

    async def lift_restriction(self, request_id: str, actor: AuditActor) -> RightsRequest:
        """End a restriction, once the person has been told."""
        request = await self._active_restriction(request_id)
        if request.subject_notified_at is None:
            raise Conflict(
                ErrorCode.SUBJECT_NOT_NOTIFIED,
                "Record that the person was told before lifting the restriction.",
                "id",
            )
        identity = await self.resolve(request.subject.user_id, request.subject.email)
        removed = await Suppression.get_pymongo_collection().delete_many(
            {
                "identity_hmac": {"$in": self.hmacs(identity)},
                "reason": SuppressionReason.RESTRICTION.value,
            }
        )
        unredacted = await FollowUp.get_pymongo_collection().update_many(
            {"subject_id": {"$in": list(identity.user_ids)}, "redacted": True},
            {"$set": {"redacted": False}, "$inc": {"version": 1}},
        )
        for user_id in identity.user_ids:
            await self.follow_ups.refresh_subject(user_id)
        hooks = await self.hooks.lift(identity)
        raw = await RightsRequest.get_pymongo_collection().find_one_and_update(
            {"_id": request.id, "restriction_active": True},
            {
                "$set": {
                    "restriction_active": False,
                    "restriction_lifted_at": self.clock.now(),
                    "handled_by": actor.key_id,
                    "outcome.lifted": {
                        "suppressions": removed.deleted_count,
                        "follow_ups": unredacted.modified_count,
                        **hooks,
                    },
                }
            },
            return_document=True,
        )
        if raw is None:
            raise Conflict(ErrorCode.INVALID_TRANSITION, "The restriction was lifted already.")
        await self.audit.record(
            actor, "rights_request.restriction_lifted", [request_id], self.hmacs(identity)
        )
        lifted: RightsRequest = RightsRequest.model_validate(raw)
        return lifted

    async def _active_restriction(self, request_id: str) -> RightsRequest:
        request = await self.rights.get(request_id)
        if request.type is not RightsRequestType.RESTRICTION or not request.restriction_active:
            raise Conflict(
                ErrorCode.INVALID_TRANSITION, "No restriction of this request is in force.", "id"
            )
        return request
