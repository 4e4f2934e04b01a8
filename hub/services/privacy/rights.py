"""Data-subject rights requests: filing, the status workflow, due dates and extensions.

A request is due one month after receipt: the same date next month, or that month's
last day where the date does not exist (31 January → 28 February, or 29 in a leap
year). It can be extended once, on or before its due date, by up to two months."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from beanie import PydanticObjectId

from hub.clock import Clock
from hub.errors import Conflict, ErrorCode, NotFound, ValidationFailed
from hub.models.privacy import (
    AuditActor,
    Corrections,
    RequestSubject,
    RightsRequest,
    RightsRequestStatus,
    RightsRequestType,
    StatusChange,
    VerificationMethod,
)
from hub.services.platform import paging, validation
from hub.services.privacy.audit import AuditService
from hub.services.privacy.rights_messages import RightsMessages
from hub.services.privacy.stores import rights_requests
from hub.services.privacy.suppression import SuppressionService

MAX_NOTE_LENGTH = 2000
MAX_EXTENSION_MONTHS = 2

Status = RightsRequestStatus
OPEN = frozenset({Status.RECEIVED, Status.VERIFIED, Status.IN_PROGRESS})
# COMPLETED is reached by executing the request, never set by hand.
TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.RECEIVED: frozenset({Status.VERIFIED, Status.REJECTED, Status.CANCELED}),
    Status.VERIFIED: frozenset({Status.IN_PROGRESS, Status.REJECTED, Status.CANCELED}),
    Status.IN_PROGRESS: frozenset({Status.REJECTED, Status.CANCELED}),
    Status.COMPLETED: frozenset(),
    Status.REJECTED: frozenset(),
    Status.CANCELED: frozenset(),
}
NEEDS_REASON = frozenset({Status.REJECTED, Status.CANCELED})


def add_months(day: date, months: int) -> date:
    """The same date `months` later, or that month's last day."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def due_on(received: date) -> date:
    return add_months(received, 1)


@dataclass(frozen=True)
class NewRequest:
    type: RightsRequestType
    user_id: str | None = None
    email: str | None = None
    message: str | None = None
    corrections: Corrections | None = None
    locale: str | None = None  # the person's language, for the messages sent to them


@dataclass(frozen=True)
class OpenRequests:
    by_status: dict[Status, int]
    overdue: int


class RightsRequestService:
    """Files rights requests and moves them through their states; every step is audited."""

    def __init__(
        self,
        clock: Clock,
        audit: AuditService,
        suppressions: SuppressionService,
        *,
        messages: RightsMessages,
    ) -> None:
        self.clock = clock
        self.audit = audit
        self.suppressions = suppressions
        self.messages = messages

    def today(self) -> date:
        return self.clock.now().date()

    def subject_hmacs(self, request: RightsRequest) -> list[str]:
        """The request's keyed hashes: from its subject, or kept after an erasure."""
        found = self.suppressions.hmacs(request.subject.user_id, request.subject.email)
        return found or list(request.subject_hmacs)

    def _validated(self, new: NewRequest, corrections_required: bool = True) -> NewRequest:
        user_id = validation.clean_text(new.user_id, "userId")
        email = validation.email(new.email, "email")
        if user_id is None and email is None:
            raise ValidationFailed(
                ErrorCode.INVALID_INPUT, "Give the person's e-mail address or user id.", "email"
            )
        corrections = new.corrections
        if new.type is RightsRequestType.RECTIFICATION and (
            corrections is not None or corrections_required
        ):
            if corrections is None or not any(corrections.model_dump().values()):
                raise ValidationFailed(
                    ErrorCode.INVALID_INPUT,
                    "A rectification needs at least one corrected value.",
                    "corrections",
                )
            corrections = Corrections(
                email=validation.email(corrections.email, "corrections.email"),
                username=validation.clean_text(corrections.username, "corrections.username"),
                company=validation.clean_text(corrections.company, "corrections.company"),
                country=validation.country(corrections.country, "corrections.country"),
            )
        elif corrections is not None:
            raise ValidationFailed(
                ErrorCode.INVALID_INPUT, "Only a rectification has corrections.", "corrections"
            )
        message = validation.clean_text(new.message, "message", MAX_NOTE_LENGTH)
        locale = validation.locale(new.locale, "locale") if new.locale else None
        return NewRequest(new.type, user_id, email, message, corrections, locale)

    async def file(
        self,
        new: NewRequest,
        actor: AuditActor,
        verification: VerificationMethod | None,
        verification_note: str | None = None,
    ) -> RightsRequest:
        """Record a request. Filed by an officer (`verification` OTHER_MEANS, with a
        note saying how identity was checked) it starts VERIFIED; filed by the person
        it starts RECEIVED until they open the link sent to them."""
        # People filing themselves say in the message what to correct.
        checked = self._validated(new, corrections_required=verification is not None)
        note = None
        if verification is VerificationMethod.OTHER_MEANS:
            note = validation.required_text(
                verification_note or "", "verificationNote", MAX_NOTE_LENGTH
            )
        now = self.clock.now()
        history = [StatusChange(status=Status.RECEIVED, at=now, by=actor.key_id or actor.role)]
        if verification is not None:
            history.append(
                StatusChange(status=Status.VERIFIED, at=now, by=actor.key_id or actor.role)
            )
        request = RightsRequest(
            type=checked.type,
            status=history[-1].status,
            subject=RequestSubject(user_id=checked.user_id, email=checked.email),
            subject_hmacs=self.suppressions.hmacs(checked.user_id, checked.email),
            corrections=checked.corrections,
            message=checked.message,
            received_at=now,
            due_on=due_on(now.date()),
            verification=verification,
            verification_note=note,
            handled_by=actor.key_id,
            history=history,
            locale=checked.locale,
        )
        await request.insert()
        await self.audit.record(
            actor,
            "rights_request.filed",
            [str(request.id)],
            request.subject_hmacs,
            {"type": request.type.value, "status": request.status.value},
        )
        return await self.messages.receipt(request)

    async def get(self, request_id: str) -> RightsRequest:
        if not PydanticObjectId.is_valid(request_id):
            raise NotFound("Rights request", "id")
        found = await RightsRequest.get(PydanticObjectId(request_id))
        if found is None:
            raise NotFound("Rights request", "id")
        return found

    async def list_requests(
        self,
        status: Status | None = None,
        type: RightsRequestType | None = None,
        due_before: date | None = None,
        overdue: bool | None = None,
        limit: int = 100,
        open: bool | None = None,
    ) -> list[RightsRequest]:
        """Requests by due date, soonest first. `overdue` keeps open requests whose
        due date has passed (or, False, those not yet due); `open` keeps those still
        RECEIVED, VERIFIED or IN_PROGRESS (or, False, the closed ones)."""
        return await rights_requests.by_due_date(
            self._list_query(status, type, due_before, overdue, open), max(1, min(limit, 500))
        )

    def _list_query(
        self,
        status: Status | None,
        type: RightsRequestType | None,
        due_before: date | None,
        overdue: bool | None,
        open: bool | None = None,
    ) -> dict[str, Any]:
        query: dict[str, Any] = {}
        if status is not None:
            query["status"] = status.value
            if open is not None and (status in OPEN) is not open:
                query["status"] = {"$in": []}
        elif open is not None:
            query["status"] = {"$in" if open else "$nin": [item.value for item in OPEN]}
        if type is not None:
            query["type"] = type.value
        due: dict[str, Any] = {}
        if due_before is not None:
            due["$lt"] = midnight_utc(due_before)
        if overdue is not None:
            query.setdefault("status", {"$in": [item.value for item in OPEN]})
            today = midnight_utc(self.today())
            due["$lt" if overdue else "$gte"] = (
                min(today, due["$lt"]) if overdue and "$lt" in due else today
            )
        if due:
            query["due_on"] = due
        return query

    async def page_requests(
        self,
        max_page_size: int,
        status: Status | None = None,
        type: RightsRequestType | None = None,
        due_before: date | None = None,
        overdue: bool | None = None,
        first: int = 100,
        after: str | None = None,
        open: bool | None = None,
    ) -> paging.Page[RightsRequest]:
        """Requests by due date, soonest first, `first` at a time after the cursor
        `after`; the filters are those of `list_requests`."""
        return await paging.page(
            RightsRequest,
            self._list_query(status, type, due_before, overdue, open),
            [paging.SortKey("due_on"), paging.SortKey("received_at"), paging.SortKey("_id")],
            lambda item: [midnight_utc(item.due_on), item.received_at, paging.id_of(item)],
            first,
            after,
            max_page_size,
        )

    def is_overdue(self, request: RightsRequest) -> bool:
        return request.status in OPEN and request.due_on < self.today()

    async def open_counts(self) -> OpenRequests:
        """How many requests are open, by status, and how many of them are overdue
        (each count runs on the (status, due_on) index)."""
        by_status = {
            status: await rights_requests.count_with_status(status.value) for status in sorted(OPEN)
        }
        overdue = await rights_requests.count_due_before(
            [status.value for status in OPEN], midnight_utc(self.today())
        )
        return OpenRequests(by_status=by_status, overdue=overdue)

    async def transition(
        self, request_id: str, to: Status, reason: str | None, actor: AuditActor
    ) -> RightsRequest:
        request = await self.get(request_id)
        if to not in TRANSITIONS[request.status]:
            raise Conflict(
                ErrorCode.INVALID_TRANSITION,
                f"A {request.status.value} request cannot become {to.value}.",
                "status",
            )
        cleaned = validation.clean_text(reason, "reason", MAX_NOTE_LENGTH)
        if to in NEEDS_REASON and cleaned is None:
            raise ValidationFailed(ErrorCode.INVALID_INPUT, f"{to.value} needs a reason.", "reason")
        return await self.messages.status_changed(await self._move(request, to, cleaned, actor))

    async def _move(
        self,
        request: RightsRequest,
        to: Status,
        reason: str | None,
        actor: AuditActor,
        extra: dict[str, Any] | None = None,
    ) -> RightsRequest:
        change = StatusChange(
            status=to, at=self.clock.now(), by=actor.key_id or actor.role, reason=reason
        )
        updated = await rights_requests.move(
            request.id,
            request.status.value,
            {"status": to.value, "handled_by": actor.key_id, **(extra or {})},
            change,
        )
        if updated is None:
            raise Conflict(
                ErrorCode.INVALID_TRANSITION, "The request changed meanwhile; reload it.", "id"
            )
        moved: RightsRequest = RightsRequest.model_validate(updated)
        await self.audit.record(
            actor,
            "rights_request.status",
            [str(request.id)],
            self.subject_hmacs(request),
            {"from": request.status.value, "to": to.value},
        )
        return moved

    async def extend(
        self, request_id: str, reason: str, months: int, actor: AuditActor
    ) -> RightsRequest:
        """Move the due date once, by one or two months, while it has not passed."""
        request = await self.get(request_id)
        if request.status not in OPEN:
            raise Conflict(
                ErrorCode.INVALID_TRANSITION, "Only an open request can be extended.", "id"
            )
        if not 1 <= months <= MAX_EXTENSION_MONTHS:
            raise ValidationFailed(
                ErrorCode.INVALID_INPUT, "An extension is one or two months.", "months"
            )
        cleaned = validation.required_text(reason, "reason", MAX_NOTE_LENGTH)
        if request.extended:
            raise Conflict(ErrorCode.ALREADY_EXTENDED, "The request was extended already.", "id")
        if self.today() > request.due_on:
            raise Conflict(
                ErrorCode.DUE_DATE_PASSED, "The due date has passed; it cannot be extended.", "id"
            )
        new_due = add_months(request.due_on, months)
        updated = await rights_requests.extend(
            request.id, cleaned, midnight_utc(new_due), actor.key_id
        )
        if updated is None:
            raise Conflict(ErrorCode.ALREADY_EXTENDED, "The request was extended already.", "id")
        await self.audit.record(
            actor,
            "rights_request.extended",
            [str(request.id)],
            self.subject_hmacs(request),
            {"months": months, "due_on": new_due.isoformat()},
        )
        extended: RightsRequest = RightsRequest.model_validate(updated)
        return await self.messages.extension(extended)


def midnight_utc(day: date) -> datetime:
    """Dates are stored as midnight UTC datetimes (BSON has no date type)."""
    return datetime.combine(day, time(0), tzinfo=UTC)
