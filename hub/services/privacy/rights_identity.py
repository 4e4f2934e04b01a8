"""Which identities a rights request may reach: identity is bound, not assumed.

A request filed by the person proves control of one e-mail address (the link sent
there was opened): its records are reached. Everything else is unconfirmed until a
privacy officer confirms it with a reason (`confirm`): the user id given on the form
(*claimed*), and the user ids and addresses found on records that carry a reached
identity (*linked*: the product, or a hostile client with a widget token, wrote them
there). A request filed by an officer, who checked the identity by other means,
reaches the identities the officer entered.

Every e-mail address is compared in the normal form of `hub.services.privacy.identity`."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from hub.clock import Clock
from hub.errors import Conflict, ErrorCode, ValidationFailed
from hub.models.outbox import OutboxMessage
from hub.models.privacy import (
    AuditActor,
    IdentityConfirmation,
    RightsRequest,
    RightsRequestStatus,
    VerificationMethod,
)
from hub.services.platform import validation
from hub.services.privacy.audit import AuditService
from hub.services.privacy.identity import normalize_email
from hub.services.privacy.registry import CollectionEntry, subject_entries
from hub.services.privacy.rights import MAX_NOTE_LENGTH, OPEN, RightsRequestService
from hub.services.privacy.stores import rights_requests
from hub.services.privacy.subjects import Identity, subject_filter
from hub.services.privacy.suppression import SuppressionService
from hub.services.stores import store_for

ANONYMOUS = "anonymous"


class IdentityKind(StrEnum):
    EMAIL = "EMAIL"
    USER_ID = "USER_ID"


class IdentityStatus(StrEnum):
    """How an identity is bound to a request; only VERIFIED and CONFIRMED are reached."""

    VERIFIED = "VERIFIED"  # the person opened the link sent to this address
    CONFIRMED = "CONFIRMED"  # an officer entered it (filing) or confirmed it
    CLAIMED = "CLAIMED"  # given on the request, not proven
    LINKED = "LINKED"  # found on a reached identity's records, not proven


REACHED = frozenset({IdentityStatus.VERIFIED, IdentityStatus.CONFIRMED})


@dataclass(frozen=True)
class IdentityMatch:
    """One identity of a request and how many records carry it, per collection
    (the request itself and the messages about it not counted)."""

    kind: IdentityKind
    value: str
    status: IdentityStatus
    records: dict[str, int] = field(default_factory=dict)

    @property
    def reached(self) -> bool:
        return self.status in REACHED

    @property
    def total(self) -> int:
        return sum(self.records.values())


def bound(request: RightsRequest) -> dict[tuple[IdentityKind, str], IdentityStatus]:
    """The identities the request itself names, with how each is bound."""
    found: dict[tuple[IdentityKind, str], IdentityStatus] = {}
    subject = request.subject
    if subject.email:
        if request.verification is VerificationMethod.EMAIL_LINK:
            status = IdentityStatus.VERIFIED
        elif request.verification is VerificationMethod.OTHER_MEANS or (
            request.status is not RightsRequestStatus.RECEIVED
        ):
            status = IdentityStatus.CONFIRMED  # filed, or moved to VERIFIED, by an officer
        else:
            status = IdentityStatus.CLAIMED
        found[(IdentityKind.EMAIL, normalize_email(subject.email))] = status
    if subject.user_id:
        found[(IdentityKind.USER_ID, subject.user_id)] = (
            IdentityStatus.CONFIRMED
            if request.verification is VerificationMethod.OTHER_MEANS
            else IdentityStatus.CLAIMED
        )
    for user_id in request.confirmed_user_ids:
        found[(IdentityKind.USER_ID, user_id)] = IdentityStatus.CONFIRMED
    for email in request.confirmed_emails:
        found[(IdentityKind.EMAIL, normalize_email(email))] = IdentityStatus.CONFIRMED
    return found


def _get(raw: dict[str, Any], path: str) -> Any:
    value: Any = raw
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _values(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [str(item) for item in items if isinstance(item, str) and item]


class RequestIdentities:
    """Finds, counts and confirms the identities of a rights request."""

    def __init__(
        self,
        clock: Clock,
        rights: RightsRequestService,
        audit: AuditService,
        suppressions: SuppressionService,
    ) -> None:
        self.clock = clock
        self.rights = rights
        self.audit = audit
        self.suppressions = suppressions

    async def scope(self, request: RightsRequest) -> Identity:
        """What executing the request reaches: its verified and confirmed identities,
        and the usernames on their records (so quotes of them can be redacted)."""
        reached = [key for key, status in bound(request).items() if status in REACHED]
        user_ids = tuple(sorted(value for kind, value in reached if kind is IdentityKind.USER_ID))
        emails = tuple(sorted(value for kind, value in reached if kind is IdentityKind.EMAIL))
        identity = Identity(user_ids, emails)
        usernames: set[str] = set()
        found_emails: set[str] = set()
        for entry, raw in await self._records(identity, request):
            if entry.subject_path and "." in entry.subject_path:
                base = _get(raw, entry.subject_path.rsplit(".", 1)[0])
                if isinstance(base, dict) and isinstance(base.get("username"), str):
                    usernames.add(base["username"])
                if isinstance(base, dict) and isinstance(base.get("email"), str):
                    found_emails.add(normalize_email(base["email"]))
        return Identity(
            user_ids,
            emails,
            tuple(sorted(usernames)),
            tuple(sorted(found_emails - set(emails))),
        )

    async def matches(self, request: RightsRequest) -> list[IdentityMatch]:
        """Every identity of the request (bound, claimed and linked) with the records
        that carry it: what the officer looks at before confirming or executing."""
        statuses = bound(request)
        reached = await self.scope(request)
        for entry, raw in await self._records(reached, request):
            paths = [
                (IdentityKind.USER_ID, entry.subject_path),
                (IdentityKind.EMAIL, entry.email_path),
            ]
            for kind, path in paths:
                if path is None:
                    continue
                for value in _values(_get(raw, path)):
                    if kind is IdentityKind.EMAIL:
                        value = normalize_email(value)
                    if value != ANONYMOUS:
                        statuses.setdefault((kind, value), IdentityStatus.LINKED)
        order = list(IdentityStatus)
        found = []
        for (kind, value), status in sorted(
            statuses.items(), key=lambda item: (order.index(item[1]), item[0])
        ):
            one = (
                Identity(user_ids=(value,))
                if kind is IdentityKind.USER_ID
                else Identity(emails=(value,))
            )
            found.append(IdentityMatch(kind, value, status, await self._counts(one, request)))
        return found

    async def matches_anything(self, request: RightsRequest, identity: Identity) -> bool:
        return any((await self._counts(identity, request)).values())

    async def confirm(
        self,
        request_id: str,
        user_ids: list[str],
        emails: list[str],
        reason: str,
        actor: AuditActor,
    ) -> RightsRequest:
        """Confirm claimed or linked identities of an open request, with the reason the
        officer is satisfied they are the person's; only then does execution reach
        them. An identity the request neither claims nor links is refused: that is a
        new request (or a rectification of this one), not a confirmation."""
        request = await self.rights.get(request_id)
        if request.status not in OPEN:
            raise Conflict(
                ErrorCode.INVALID_TRANSITION,
                "Only an open request's identities can be confirmed.",
                "id",
            )
        cleaned_reason = validation.required_text(reason, "reason", MAX_NOTE_LENGTH)
        wanted_ids = [validation.required_text(value, "userIds") for value in user_ids]
        wanted_emails = [
            cleaned
            for cleaned in (validation.email(value, "emails") for value in emails)
            if cleaned
        ]
        if not wanted_ids and not wanted_emails:
            raise ValidationFailed(
                ErrorCode.INVALID_INPUT, "Give the user ids or addresses to confirm.", "userIds"
            )
        known = {(item.kind, item.value) for item in await self.matches(request)}
        for kind, values, field_name in (
            (IdentityKind.USER_ID, wanted_ids, "userIds"),
            (IdentityKind.EMAIL, wanted_emails, "emails"),
        ):
            if any((kind, value) not in known for value in values):
                raise Conflict(
                    ErrorCode.IDENTITY_NOT_LINKED,
                    "Only the claimed user id, or identities found on the records of the "
                    "verified or confirmed ones, can be confirmed; file a new request for "
                    "anyone else.",
                    field_name,
                )
        hashes = sorted(
            {digest for value in wanted_ids for digest in self.suppressions.hmacs(user_id=value)}
            | {digest for value in wanted_emails for digest in self.suppressions.hmacs(email=value)}
        )
        confirmation = IdentityConfirmation(
            at=self.clock.now(),
            by=actor.key_id or actor.role,
            reason=cleaned_reason,
            identity_hmacs=hashes,
        )
        raw = await rights_requests.confirm_identities(
            request.id,
            [status.value for status in OPEN],
            wanted_ids,
            wanted_emails,
            confirmation,
            actor.key_id,
        )
        if raw is None:
            raise Conflict(
                ErrorCode.INVALID_TRANSITION, "The request changed meanwhile; reload it.", "id"
            )
        await self.audit.record(
            actor,
            "rights_request.identities_confirmed",
            [str(request.id)],
            hashes,
            {"user_ids": len(set(wanted_ids)), "emails": len(set(wanted_emails))},
        )
        confirmed: RightsRequest = RightsRequest.model_validate(raw)
        return confirmed

    # -- records

    def _not_about_itself(
        self, entry: CollectionEntry, query: dict[str, Any], request: RightsRequest
    ) -> dict[str, Any]:
        """The request itself, and the messages sent about it, are not the person's
        records: without this every verified address would match something."""
        if entry.model is RightsRequest:
            return {"$and": [query, {"_id": {"$ne": request.id}}]}
        if entry.model is OutboxMessage:
            mine = {"key": {"$not": re.compile(re.escape(str(request.id)))}}
            return {"$and": [query, mine]}
        return query

    async def _records(
        self, identity: Identity, request: RightsRequest
    ) -> list[tuple[CollectionEntry, dict[str, Any]]]:
        """The records with both a user id and an address that carry the identity."""
        found: list[tuple[CollectionEntry, dict[str, Any]]] = []
        for entry in subject_entries():
            if entry.email_path is None or not entry.subject_path:
                continue
            query = subject_filter(entry, identity)
            if query is None:
                continue
            base = entry.subject_path.rsplit(".", 1)[0]
            projection = {base: 1}
            if not entry.email_path.startswith(base + "."):
                projection[entry.email_path] = 1
            cursor = store_for(entry.model).documents(
                self._not_about_itself(entry, query, request), projection=projection
            )
            found += [(entry, raw) async for raw in cursor]
        return found

    async def _counts(self, identity: Identity, request: RightsRequest) -> dict[str, int]:
        counts: dict[str, int] = {}
        for entry in subject_entries():
            query = subject_filter(entry, identity)
            if query is None:
                continue
            count = await store_for(entry.model).count(
                self._not_about_itself(entry, query, request)
            )
            if count:
                counts[entry.collection] = count
        return counts
