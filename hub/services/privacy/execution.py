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
from hub.services.channels.mail import EMAIL_KIND
from hub.services.followups.followups import FollowUpService
from hub.services.platform.outbox import OutboxService
from hub.services.privacy.audit import AuditService
from hub.services.privacy.erasure_ledger import ErasureLedger
from hub.services.privacy.exports import PrivacyExports
from hub.services.privacy.free_text import MIN_QUOTED_LENGTH, replace_quoted
from hub.services.privacy.identity import normalize_email
from hub.services.privacy.registry import (
    REDACTED,
    CollectionEntry,
    OnErasure,
    Rectifies,
    entry_for,
    subject_entries,
)
from hub.services.privacy.rights import RightsRequestService
from hub.services.privacy.rights_identity import IdentityMatch, RequestIdentities
from hub.services.privacy.subjects import (
    Identity as Identity,  # where the other features import it from
)
from hub.services.privacy.subjects import subject_filter
from hub.services.privacy.suppression import SuppressionService

log = logging.getLogger("hub.privacy")

Counts = dict[str, int]


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


_subject_filter = subject_filter


def redact_quotes(text: str, terms: Iterable[str]) -> str:
    """`text` with every whole occurrence of the terms replaced by the marker."""
    return replace_quoted(text, terms, REDACTED)


def _replaced_terms(identity: Identity, corrections: Corrections) -> list[str]:
    """The person's e-mail addresses and usernames that a rectification replaces."""
    terms: list[str] = []
    if corrections.email is not None:
        new = normalize_email(corrections.email)
        terms += [
            email
            for email in (*identity.emails, *identity.found_emails)
            if normalize_email(email) != new
        ]
    if corrections.username is not None:
        terms += [name for name in identity.usernames if name != corrections.username]
    return [term for term in terms if len(term) >= MIN_QUOTED_LENGTH]


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
        ledger: ErasureLedger | None = None,
    ) -> None:
        self.ledger = ledger
        self.exports = exports
        self.clock = clock
        self.rights = rights
        self.audit = audit
        self.suppressions = suppressions
        self.outbox = outbox
        self.follow_ups = follow_ups
        self.hooks = hooks or SubjectHooks()
        self.identities = RequestIdentities(clock, rights, audit, suppressions)

    # -- finding the person

    async def resolve(self, request: RightsRequest) -> Identity:
        """Whom executing the request reaches: its verified address and the identities
        an officer entered or confirmed, never a claimed or linked one on its own
        (see `hub.services.privacy.rights_identity`)."""
        return await self.identities.scope(request)

    async def identity_matches(self, request: RightsRequest) -> list[IdentityMatch]:
        """The request's identities, how each is bound, and the records carrying it."""
        return await self.identities.matches(request)

    async def confirm_identities(
        self,
        request_id: str,
        user_ids: list[str],
        emails: list[str],
        reason: str,
        actor: AuditActor,
    ) -> RightsRequest:
        """An officer confirms claimed or linked identities; see `RequestIdentities`."""
        return await self.identities.confirm(request_id, user_ids, emails, reason, actor)

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

    async def execute(
        self, request_id: str, actor: AuditActor, allow_no_match: bool = False
    ) -> RightsRequest:
        """Carry out a VERIFIED or IN_PROGRESS request over the identities it reaches
        (`resolve`); it becomes COMPLETED with what was done, per step and collection,
        stored on it. When no record carries them, nothing is done and the officer is
        told (NO_MATCHING_RECORDS), unless `allow_no_match` acknowledges it (an
        erasure or objection then still suppresses the identities)."""
        request = await self.rights.get(request_id)
        if request.status not in (RightsRequestStatus.VERIFIED, RightsRequestStatus.IN_PROGRESS):
            raise Conflict(
                ErrorCode.NOT_EXECUTABLE,
                f"A {request.status.value} request cannot be executed.",
                "id",
            )
        identity = await self.resolve(request)
        if not allow_no_match and not await self.identities.matches_anything(request, identity):
            raise Conflict(
                ErrorCode.NO_MATCHING_RECORDS,
                "No record carries the request's verified or confirmed identities. Check "
                "identityMatches (confirm claimed or linked identities), or execute with "
                "allowNoMatch to go on anyway.",
                "id",
            )
        if request.status is RightsRequestStatus.VERIFIED:
            request = await self.rights.transition(
                request_id, RightsRequestStatus.IN_PROGRESS, None, actor
            )
        hashes = self.hmacs(identity) or list(request.subject_hmacs)
        kind = request.type
        extra: dict[str, Any] = {}
        user_ids, emails = list(identity.user_ids), list(identity.emails)
        outcome: dict[str, Counts]
        export: dict[str, Any] | None = None
        if kind is RightsRequestType.ERASURE:
            outcome = await self.erase(identity, SuppressionReason.ERASURE)
        elif kind is RightsRequestType.OBJECTION:
            outcome = await self.erase(identity, SuppressionReason.OBJECTION)
        elif kind is RightsRequestType.ACCESS:
            export = await self.exports.access(user_ids, emails)
            outcome = {"exported": {name: len(docs) for name, docs in export["data"].items()}}
        elif kind is RightsRequestType.PORTABILITY:
            export = await self.exports.portability(user_ids, emails)
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
        if export is not None:  # kept for its delivery only, not on the request
            await self.exports.store(str(request.id), kind, export, hashes)
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
        if self.ledger is not None:  # first: a restored backup is erased again from it
            await self.ledger.record(self.hmacs(identity), reason)
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
        outcome["exports"] = await self.exports.withdraw(
            self.hmacs(identity), identity.quoted_terms(), redact_quotes
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
        # Stored exports: the person's own hold the uncorrected data; others may quote
        # the old values.
        exports = await self.exports.withdraw(
            self.hmacs(identity), _replaced_terms(identity, corrections), redact_quotes
        )
        return {
            "rectified": changed,
            "slack": {"follow_ups_refreshed": refreshed},
            "exports": exports,
        }

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
        identity = await self.resolve(request)
        # Only the restriction's own entries: an objection, opt-out or erasure made
        # meanwhile is an entry of its own and stays. The request's stored hashes reach
        # the person once an erasure anonymised the request (and only then: they also
        # hold identities the request merely claimed).
        hashes = self.hmacs(identity) or sorted(request.subject_hmacs)
        removed = await Suppression.get_pymongo_collection().delete_many(
            {"identity_hmac": {"$in": hashes}, "reason": SuppressionReason.RESTRICTION.value}
        )
        unredacted = await FollowUp.get_pymongo_collection().update_many(
            {"subject_id": {"$in": list(identity.user_ids)}, "redacted": True},
            {"$set": {"redacted": False}, "$inc": {"version": 1}},
        )
        for user_id in identity.user_ids:
            await self.follow_ups.refresh_subject(user_id)
        # Comments sent during the restriction get the follow-up they were held from
        # (none while the person is still suppressed for another reason).
        opened = 0
        for user_id in identity.user_ids:
            opened += await self.follow_ups.open_missing(user_id)
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
                        "follow_ups_opened": opened,
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
