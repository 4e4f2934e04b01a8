"""Rights requests filed by the people themselves (the public form or the public
mutation): the request is RECEIVED and an e-mail with a signed link goes to the
address given; it becomes VERIFIED when that link is opened in time. Three wrong or
expired tries lock it for an officer to look at."""

from __future__ import annotations

from datetime import timedelta

from hub.clock import Clock
from hub.errors import Conflict, DomainError, ErrorCode, NotFound, ValidationFailed
from hub.models.privacy import (
    RightsRequest,
    RightsRequestStatus,
    StatusChange,
    VerificationMethod,
)
from hub.services.channels.mail import MailService
from hub.services.platform.tokens import Purpose, SignedTokens, invalid
from hub.services.privacy.audit import SYSTEM, AuditService
from hub.services.privacy.rights import NewRequest, RightsRequestService
from hub.services.privacy.stores import rights_requests
from hub.settings import Settings

MAX_FAILURES = 3
VERIFY_PATH = "/privacy/verify"


class RightsVerification:
    def __init__(
        self,
        clock: Clock,
        settings: Settings,
        secret: bytes,
        rights: RightsRequestService,
        mail: MailService,
        audit: AuditService,
    ) -> None:
        self.clock = clock
        self.settings = settings
        self.rights = rights
        self.mail = mail
        self.audit = audit
        self._tokens = SignedTokens(secret, clock)

    def link(self, request: RightsRequest) -> str:
        expires = self.clock.now() + timedelta(hours=self.settings.rights_verification_hours)
        token = self._tokens.issue(
            Purpose.RIGHTS_VERIFICATION, {"request": str(request.id)}, expires
        )
        return f"{self.settings.resolved_public_url()}{VERIFY_PATH}/{request.id}/{token}"

    async def submit(self, new: NewRequest) -> RightsRequest:
        """File the person's own request and e-mail them the link that verifies it."""
        if not (new.email or "").strip():
            raise ValidationFailed(
                ErrorCode.INVALID_INPUT, "Give the e-mail address to verify.", "email"
            )
        request = await self.rights.file(new, SYSTEM, verification=None)
        assert request.subject.email is not None
        hours = self.settings.rights_verification_hours
        link = self.link(request)
        await self.mail.queue(
            self.rights.messages.verification_email(request, link, hours),
            f"rights-verification:{request.id}",
            [request.subject.user_id] if request.subject.user_id else [],
        )
        await rights_requests.note_verification_sent(request.id, self.clock.now())
        return request

    async def verify(self, request_id: str, token: str) -> RightsRequest:
        """Open the link: VERIFIED if it is the request's own and in time; otherwise
        the try counts, and the third one locks the request."""
        try:
            request = await self.rights.get(request_id)
        except NotFound:
            raise ValidationFailed(ErrorCode.LINK_INVALID, "The link is not valid.") from None
        if request.locked:
            raise Conflict(
                ErrorCode.VERIFICATION_LOCKED,
                "Too many wrong or expired links; the privacy officer will contact you.",
            )
        if request.status is not RightsRequestStatus.RECEIVED:
            if request.verification is VerificationMethod.EMAIL_LINK:
                return request  # opened twice
            raise ValidationFailed(ErrorCode.LINK_INVALID, "The link is not valid.")
        try:
            self._check(request_id, token)
        except DomainError:
            await self._failed(request)
            raise
        change = StatusChange(
            status=RightsRequestStatus.VERIFIED, at=self.clock.now(), by=SYSTEM.role
        )
        raw = await rights_requests.mark_verified(request.id, change)
        if raw is None:
            raise ValidationFailed(ErrorCode.LINK_INVALID, "The link is not valid.")
        await self.audit.record(
            SYSTEM, "rights_request.verified", [request_id], list(request.subject_hmacs)
        )
        verified: RightsRequest = RightsRequest.model_validate(raw)
        return await self.rights.messages.receipt(verified)

    def _check(self, request_id: str, token: str) -> None:
        # Links made before signed tokens had one expiry field said "expires".
        payload = self._tokens.open(Purpose.RIGHTS_VERIFICATION, token, previous_expiry="expires")
        if payload.get("request") != request_id:
            raise invalid()

    async def _failed(self, request: RightsRequest) -> None:
        raw = await rights_requests.count_failed_verification(request.id)
        failures = int(raw["verification_failures"]) if raw else MAX_FAILURES
        if failures >= MAX_FAILURES:
            await rights_requests.lock(request.id)
        await self.audit.record(
            SYSTEM,
            "rights_request.verification_failed",
            [str(request.id)],
            list(request.subject_hmacs),
            {"failures": failures, "locked": failures >= MAX_FAILURES},
        )
