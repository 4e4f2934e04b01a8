"""Rights requests and the audit log."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

import pymongo
from beanie import Document
from pydantic import BaseModel
from pymongo import IndexModel


class RightsRequestType(StrEnum):
    ACCESS = "ACCESS"
    PORTABILITY = "PORTABILITY"
    ERASURE = "ERASURE"
    RECTIFICATION = "RECTIFICATION"
    RESTRICTION = "RESTRICTION"
    OBJECTION = "OBJECTION"


class RightsRequestStatus(StrEnum):
    RECEIVED = "RECEIVED"
    VERIFIED = "VERIFIED"
    IN_PROGRESS = "IN_PROGRESS"
    COMPLETED = "COMPLETED"
    REJECTED = "REJECTED"
    CANCELED = "CANCELED"


class VerificationMethod(StrEnum):
    OTHER_MEANS = "OTHER_MEANS"  # an officer checked the identity and left a note
    EMAIL_LINK = "EMAIL_LINK"  # the person opened the signed link sent to them


class RequestSubject(BaseModel):
    """Whom the request is about: a user id and/or an e-mail address."""

    user_id: str | None = None
    email: str | None = None


class Corrections(BaseModel):
    """RECTIFICATION: the corrected values; an unset field is left as it is."""

    email: str | None = None
    username: str | None = None
    company: str | None = None
    country: str | None = None


class IdentityConfirmation(BaseModel):
    """An officer confirmed claimed or linked identities of a request (keyed hashes)."""

    at: datetime
    by: str  # an API key id
    reason: str
    identity_hmacs: list[str] = []


class SubjectMessageKind(StrEnum):
    """The messages a rights request sends to the person it is about."""

    RECEIPT = "RECEIPT"
    EXTENSION = "EXTENSION"
    COMPLETION = "COMPLETION"
    REJECTION = "REJECTION"
    RESTRICTION_LIFT_NOTICE = "RESTRICTION_LIFT_NOTICE"


class SubjectMessage(BaseModel):
    """One message to the person: queued in the outbox, or why it could not be sent."""

    kind: SubjectMessageKind
    at: datetime
    outbox_id: str | None = None  # the queued e-mail
    undeliverable: str | None = None  # why nothing was sent, e.g. NO_EMAIL_ADDRESS


class StatusChange(BaseModel):
    status: RightsRequestStatus
    at: datetime
    by: str  # an API key id
    reason: str | None = None


class RightsRequest(Document):
    """A data-subject rights request and what was done about it."""

    type: RightsRequestType
    status: RightsRequestStatus = RightsRequestStatus.RECEIVED
    subject: RequestSubject
    subject_hmacs: list[str] = []  # keyed hashes of the identity: what erasure leaves
    corrections: Corrections | None = None
    # Identities beyond the verified address that an officer confirmed; only verified
    # and confirmed identities are reached (hub.services.privacy.rights_identity).
    confirmed_user_ids: list[str] = []
    confirmed_emails: list[str] = []
    identity_confirmations: list[IdentityConfirmation] = []
    message: str | None = None
    received_at: datetime
    due_on: date
    extended: bool = False
    extension_reason: str | None = None
    verification: VerificationMethod | None = None
    verification_note: str | None = None
    verification_sent_at: datetime | None = None
    verification_failures: int = 0  # wrong or expired links opened
    locked: bool = False  # three failures: only an officer can go on
    handled_by: str | None = None  # the key id of the officer who last acted on it
    history: list[StatusChange] = []
    outcome: dict[str, dict[str, int]] = {}  # per step, counts per collection
    executed_at: datetime | None = None
    restriction_active: bool = False
    subject_notified_at: datetime | None = None
    restriction_lifted_at: datetime | None = None
    subject_notice_outbox_id: str | None = None  # the notice e-mail subject_notified_at rests on
    locale: str | None = None  # the person's language for messages; None: the default
    messages: list[SubjectMessage] = []

    class Settings:
        name = "rights_requests"
        indexes = [
            IndexModel([("status", pymongo.ASCENDING), ("due_on", pymongo.ASCENDING)]),
            # The rightsRequests connection: soonest due first, then received, then by id.
            IndexModel(
                [
                    ("due_on", pymongo.ASCENDING),
                    ("received_at", pymongo.ASCENDING),
                    ("_id", pymongo.ASCENDING),
                ]
            ),
            IndexModel([("subject.user_id", pymongo.ASCENDING)]),
            IndexModel([("restriction_active", pymongo.ASCENDING)]),
        ]


class AuditActor(BaseModel):
    key_id: str | None = None  # None: the hub itself (scheduled retention, the public form)
    role: str
    label: str


class AuditEntry(Document):
    """One privacy operation. Holds ids and keyed hashes only, never raw identity, and
    the keyed hash of the entry before it, so a changed or removed entry shows."""

    seq: int
    at: datetime
    actor: AuditActor
    action: str
    target_ids: list[str] = []
    subject_hmacs: list[str] = []
    details: dict[str, Any] = {}
    previous_hash: str
    hash: str

    class Settings:
        name = "audit_log"
        indexes = [
            IndexModel([("seq", pymongo.ASCENDING)], unique=True, name="seq_unique"),
            IndexModel([("action", pymongo.ASCENDING), ("at", pymongo.ASCENDING)]),
            # The auditLog connection by target: newest first (unfiltered, seq_unique serves).
            IndexModel([("target_ids", pymongo.ASCENDING), ("seq", pymongo.DESCENDING)]),
        ]


class AuditHead(Document):
    """The newest entry's number and hash, moved in the same transaction as each
    append: removing the last entries is detected too."""

    key: str = "head"
    seq: int
    hash: str

    class Settings:
        name = "audit_head"
        indexes = [IndexModel([("key", pymongo.ASCENDING)], unique=True, name="key_unique")]


class SurveyRetention(Document):
    """How long one survey's responses keep their identity, if shorter than the default."""

    survey_key: str
    days: int | None = None

    class Settings:
        name = "survey_retention"
        indexes = [IndexModel([("survey_key", pymongo.ASCENDING)], unique=True, name="key_unique")]
