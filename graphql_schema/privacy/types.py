from datetime import date, datetime
from typing import Self, TypeAlias

import strawberry

from graphql_schema.context import Context
from graphql_schema.platform.types import DeliveryStatus
from hub.models import privacy as model
from hub.services.privacy import rights_identity
from hub.services.privacy.audit import AuditVerification as AuditVerificationResult

RightsRequestType: TypeAlias = model.RightsRequestType
strawberry.enum(
    RightsRequestType,
    name="RightsRequestType",
    description="The right exercised: ACCESS, PORTABILITY, ERASURE, RECTIFICATION, "
    "RESTRICTION or OBJECTION.",
)
RightsRequestStatus: TypeAlias = model.RightsRequestStatus
strawberry.enum(
    RightsRequestStatus,
    name="RightsRequestStatus",
    description="RECEIVED → VERIFIED → IN_PROGRESS → COMPLETED, or REJECTED / CANCELED.",
)
VerificationMethod: TypeAlias = model.VerificationMethod
strawberry.enum(VerificationMethod, name="VerificationMethod")
IdentityKind: TypeAlias = rights_identity.IdentityKind
strawberry.enum(IdentityKind, name="IdentityKind")
IdentityStatus: TypeAlias = rights_identity.IdentityStatus
strawberry.enum(
    IdentityStatus,
    name="IdentityStatus",
    description="How an identity is bound to a request. VERIFIED: the person opened the "
    "link sent to this address. CONFIRMED: an officer filed the request with it or "
    "confirmed it (confirmRequestIdentities). CLAIMED: given on the request, not proven. "
    "LINKED: found on the records of a verified or confirmed identity, not proven. "
    "Executing the request reaches only VERIFIED and CONFIRMED identities.",
)


@strawberry.type(description="How many records of one collection carry an identity.")
class CollectionCount:
    collection: str
    count: int


@strawberry.type(description="One identity of a rights request and the records carrying it.")
class IdentityMatch:
    kind: IdentityKind
    value: str = strawberry.field(description="The user id, or the address in normal form.")
    status: IdentityStatus
    reached: bool = strawberry.field(description="Whether executing the request reaches it.")
    total: int = strawberry.field(
        description="Records carrying it (the request itself and messages about it not counted)."
    )
    records: list[CollectionCount]

    @classmethod
    def from_match(cls, match: rights_identity.IdentityMatch) -> Self:
        return cls(
            kind=match.kind,
            value=match.value,
            status=match.status,
            reached=match.reached,
            total=match.total,
            records=[
                CollectionCount(collection=name, count=count)
                for name, count in sorted(match.records.items())
            ],
        )


SubjectMessageKind: TypeAlias = model.SubjectMessageKind
strawberry.enum(
    SubjectMessageKind,
    name="SubjectMessageKind",
    description="A message to the person: RECEIPT, EXTENSION, COMPLETION, REJECTION or "
    "RESTRICTION_LIFT_NOTICE.",
)


@strawberry.type(description="A message to the person a request is about, or why none went.")
class SubjectMessage:
    kind: SubjectMessageKind
    at: datetime
    outbox_id: str | None = strawberry.field(description="The queued e-mail's outbox id.")
    undeliverable: str | None = strawberry.field(
        description="Why nothing was sent: NO_EMAIL_ADDRESS (the request has no address)."
    )

    @strawberry.field(
        description="The e-mail's delivery; null when none was sent or its outbox entry is "
        "gone (an erasure deletes it)."
    )
    async def delivery(self, info: strawberry.Info[Context]) -> DeliveryStatus | None:
        if self.outbox_id is None:
            return None
        found = await info.context.loaders.message_delivery.load(self.outbox_id)
        return found.status if found else None

    @classmethod
    def from_model(cls, message: model.SubjectMessage) -> Self:
        return cls(
            kind=message.kind,
            at=message.at,
            outbox_id=message.outbox_id,
            undeliverable=message.undeliverable,
        )


@strawberry.input(description="RECTIFICATION: the corrected values; unset ones stay.")
class CorrectionsInput:
    email: str | None = None
    username: str | None = None
    company: str | None = None
    country: str | None = None

    def to_model(self) -> model.Corrections:
        return model.Corrections(
            email=self.email, username=self.username, company=self.company, country=self.country
        )


@strawberry.type
class Corrections:
    email: str | None
    username: str | None
    company: str | None
    country: str | None


@strawberry.type
class StatusChange:
    status: RightsRequestStatus
    at: datetime
    by: str = strawberry.field(description="The API key id of whoever made the change.")
    reason: str | None


@strawberry.type(description="What one step of an execution did to one collection.")
class OutcomeCount:
    step: str
    collection: str
    count: int


@strawberry.type(description="A data-subject rights request.")
class RightsRequest:
    document: strawberry.Private[model.RightsRequest]
    id: strawberry.ID
    type: RightsRequestType
    status: RightsRequestStatus
    subject_user_id: str | None = strawberry.field(description="Null once erased.")
    subject_email: str | None = strawberry.field(description="Null once erased.")
    corrections: Corrections | None
    message: str | None
    received_at: datetime
    due_on: date
    extended: bool
    extension_reason: str | None
    verification: VerificationMethod | None
    verification_note: str | None
    history: list[StatusChange]
    outcome: list[OutcomeCount]
    executed_at: datetime | None
    restriction_active: bool
    subject_notified_at: datetime | None
    restriction_lifted_at: datetime | None
    subject_notice_outbox_id: str | None = strawberry.field(
        description="The notice e-mail that `subjectNotifiedAt` rests on; null when the "
        "person was told by other means."
    )
    locale: str | None = strawberry.field(
        description="The person's language for messages; null: the default language."
    )
    messages: list[SubjectMessage] = strawberry.field(
        description="Messages to the person: kind, time, outbox id, or why none could go."
    )

    @strawberry.field(description="Open and past its due date.")
    def overdue(self, info: strawberry.Info[Context]) -> bool:
        return info.context.services.rights.is_overdue(self.document)

    @strawberry.field(description="Days until the due date; negative when overdue.")
    def days_left(self, info: strawberry.Info[Context]) -> int:
        return (self.document.due_on - info.context.services.rights.today()).days

    @strawberry.field(
        description="Every identity of the request (verified, confirmed, claimed and "
        "linked) with the records that carry it, per collection: which records executing "
        "it reaches, and which only a confirmation (confirmRequestIdentities) would reach."
    )
    async def identity_matches(self, info: strawberry.Info[Context]) -> list[IdentityMatch]:
        found = await info.context.services.privacy.identity_matches(self.document)
        return [IdentityMatch.from_match(match) for match in found]

    @classmethod
    def from_document(cls, request: model.RightsRequest) -> Self:
        corrections = request.corrections
        return cls(
            document=request,
            id=strawberry.ID(str(request.id)),
            type=request.type,
            status=request.status,
            subject_user_id=request.subject.user_id,
            subject_email=request.subject.email,
            corrections=Corrections(**corrections.model_dump()) if corrections else None,
            message=request.message,
            received_at=request.received_at,
            due_on=request.due_on,
            extended=request.extended,
            extension_reason=request.extension_reason,
            verification=request.verification,
            verification_note=request.verification_note,
            history=[
                StatusChange(status=item.status, at=item.at, by=item.by, reason=item.reason)
                for item in request.history
            ],
            outcome=[
                OutcomeCount(step=step, collection=collection, count=count)
                for step, counts in request.outcome.items()
                for collection, count in counts.items()
            ],
            executed_at=request.executed_at,
            restriction_active=request.restriction_active,
            subject_notified_at=request.subject_notified_at,
            restriction_lifted_at=request.restriction_lifted_at,
            subject_notice_outbox_id=request.subject_notice_outbox_id,
            locale=request.locale,
            messages=[SubjectMessage.from_model(item) for item in request.messages],
        )


@strawberry.type(description="Who did a privacy operation: an API key, or the hub itself.")
class AuditActor:
    key_id: str | None
    role: str
    label: str


@strawberry.type(description="One privacy operation: ids and keyed hashes, never identity.")
class AuditEntry:
    seq: int
    at: datetime
    actor: AuditActor
    action: str
    target_ids: list[str]
    subject_hmacs: list[str]
    details: str = strawberry.field(description="Counts and settings, as JSON text.")
    previous_hash: str
    hash: str

    @classmethod
    def from_document(cls, entry: model.AuditEntry) -> Self:
        import json

        return cls(
            seq=entry.seq,
            at=entry.at,
            actor=AuditActor(**entry.actor.model_dump()),
            action=entry.action,
            target_ids=list(entry.target_ids),
            subject_hmacs=list(entry.subject_hmacs),
            details=json.dumps(entry.details, sort_keys=True, default=str),
            previous_hash=entry.previous_hash,
            hash=entry.hash,
        )


@strawberry.type(description="Whether the audit log's hash chain holds.")
class AuditVerification:
    ok: bool
    entries: int
    first_broken_seq: int | None = strawberry.field(
        description="The first entry that was changed, removed or inserted."
    )
    problem: str | None

    @classmethod
    def from_result(cls, result: AuditVerificationResult) -> Self:
        return cls(
            ok=result.ok,
            entries=result.entries,
            first_broken_seq=result.first_broken_seq,
            problem=result.problem,
        )
