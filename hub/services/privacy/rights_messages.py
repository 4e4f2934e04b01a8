"""Messages to the person a rights request is about: the receipt, an extension with
its reason (GDPR Art. 12(3)), the completion (with the download link of an access or
portability export), a rejection with its reason, and the notice before a
restriction is lifted.

Each is an e-mail queued through the outbox (`MailService.queue`) in the request's
language (`RightsRequest.locale`, else the default), under a key made of the request
id and the kind, so a retried step never sends twice. Each is recorded on the request
(`messages`: kind, time, outbox id), or, when the request has no e-mail address or
was never verified, recorded as undeliverable so the officer sees that the person
was not told. An address that was never verified (a public request whose link was
not opened) is sent nothing but the verification e-mail.

The texts hold no one else's data and not the person's own address: the reason an
officer gives for an extension or a rejection is sent as written."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from beanie import PydanticObjectId
from bson import ObjectId

from hub.clock import Clock
from hub.errors import Conflict, ErrorCode, NotFound
from hub.i18n_rights import message_strings
from hub.models.outbox import RIGHTS_ANSWER_KEY_PREFIX, OutboxMessage, OutboxStatus
from hub.models.privacy import (
    AuditActor,
    RightsRequest,
    RightsRequestStatus,
    RightsRequestType,
    SubjectMessage,
    SubjectMessageKind,
)
from hub.rendering import render
from hub.services.channels.mail import Email, MailService
from hub.services.platform.stores import outbox
from hub.services.privacy.audit import AuditService
from hub.services.privacy.exports import PrivacyExports
from hub.services.privacy.stores import rights_requests
from hub.settings import Settings

Kind = SubjectMessageKind
NO_EMAIL_ADDRESS = "NO_EMAIL_ADDRESS"
ADDRESS_NOT_VERIFIED = "ADDRESS_NOT_VERIFIED"
KEY_PREFIX = RIGHTS_ANSWER_KEY_PREFIX
FORM_PATH = "/privacy/request"


def message_key(request_id: str, kind: Kind) -> str:
    """The outbox key of one message: a request id and a kind, no identity."""
    return f"{KEY_PREFIX}:{request_id}:{kind.value}"


def was_verified(request: RightsRequest) -> bool:
    """Whether the request was ever VERIFIED: filed by an officer, verified by its
    link, or moved to VERIFIED by an officer."""
    return any(change.status is RightsRequestStatus.VERIFIED for change in request.history)


class RightsMessages:
    """Builds and queues the messages to the data subject (see the module docstring)."""

    def __init__(
        self,
        clock: Clock,
        settings: Settings,
        mail: MailService,
        exports: PrivacyExports,
        audit: AuditService,
    ) -> None:
        self.clock = clock
        self.settings = settings
        self.mail = mail
        self.exports = exports
        self.audit = audit

    # -- the call sites: each returns the request with the message recorded

    async def receipt(self, request: RightsRequest) -> RightsRequest:
        """A VERIFIED request (filed by an officer, or verified by its link) is
        acknowledged with its due date. A request waiting for its link gets none:
        the verification e-mail is its acknowledgement, and an address not proven
        yet is not sent anything more."""
        if request.status is not RightsRequestStatus.VERIFIED:
            return request
        return await self._send(request, Kind.RECEIPT, ["receipt"])

    async def extension(self, request: RightsRequest) -> RightsRequest:
        """The due date moved: the new date and the officer's reason."""
        return await self._send(
            request, Kind.EXTENSION, ["extension"], reason=request.extension_reason
        )

    async def status_changed(self, request: RightsRequest) -> RightsRequest:
        """A request that became REJECTED tells the person why, and where to complain;
        one an officer VERIFIED (a public request whose link was not used) gets its
        receipt."""
        if request.status is RightsRequestStatus.VERIFIED:
            return await self.receipt(request)
        if request.status is not RightsRequestStatus.REJECTED:
            return request
        reason = request.history[-1].reason if request.history else None
        return await self._send(
            request, Kind.REJECTION, ["rejection"], reason=reason, after=["complaint"]
        )

    async def completion(self, before: RightsRequest, after: RightsRequest) -> RightsRequest:
        """The request was executed. `before` is the request as it was before the
        execution ran: an erasure has removed the address from `after`, and the
        message still goes to it (the outbox entry is then its only copy)."""
        kind = after.type
        link: str | None = None
        expires: datetime | None = None
        if kind in (RightsRequestType.ACCESS, RightsRequestType.PORTABILITY):
            link, expires = self._download_link(after)
        return await self._send(
            after,
            Kind.COMPLETION,
            ["completion", f"done_{kind.value}"],
            address=before.subject.email,
            link=link,
            expires=expires,
        )

    async def notify_restriction_lift(self, request_id: str, actor: AuditActor) -> RightsRequest:
        """Tell the person that their restriction will be lifted (GDPR Art. 18(3)).
        NO_EMAIL_ADDRESS when the request has none: tell them by other means and
        record it with recordSubjectNotified. Sent once; asking again changes nothing."""
        request = await self._request(request_id)
        if request.type is not RightsRequestType.RESTRICTION or not request.restriction_active:
            raise Conflict(
                ErrorCode.INVALID_TRANSITION, "No restriction of this request is in force.", "id"
            )
        if not request.subject.email:
            raise Conflict(
                ErrorCode.NO_EMAIL_ADDRESS,
                "The request has no e-mail address: tell the person by other means and "
                "record it with recordSubjectNotified.",
                "id",
            )
        if any(message.kind is Kind.RESTRICTION_LIFT_NOTICE for message in request.messages):
            return request
        sent = await self._send(
            request, Kind.RESTRICTION_LIFT_NOTICE, ["lift_notice"], after=["lift_object"]
        )
        await self.audit.record(
            actor,
            "rights_request.restriction_lift_notice",
            [request_id],
            list(request.subject_hmacs),
            {"outbox_id": sent.messages[-1].outbox_id},
        )
        return sent

    async def notified(self, request: RightsRequest) -> dict[str, Any]:
        """What recordSubjectNotified stores: when the notice e-mail was delivered
        (or queued, while it is on its way), with its outbox id; without a notice
        e-mail, or when it failed for good, the person was told by other means, now."""
        notice = next(
            (
                message
                for message in request.messages
                if message.kind is Kind.RESTRICTION_LIFT_NOTICE and message.outbox_id
            ),
            None,
        )
        other_means: dict[str, Any] = {
            "subject_notified_at": self.clock.now(),
            "subject_notice_outbox_id": None,
        }
        if notice is None or notice.outbox_id is None:
            return other_means
        raw = await outbox.delivery_of(ObjectId(notice.outbox_id))
        if raw is not None and raw.get("status") == OutboxStatus.FAILED.value:
            return other_means
        at = (raw or {}).get("delivered_at") or notice.at
        return {"subject_notified_at": at, "subject_notice_outbox_id": notice.outbox_id}

    async def deliveries(self, outbox_ids: list[str]) -> list[OutboxMessage | None]:
        """The outbox entries of messages, in the order asked (a DataLoader's batch);
        None where the entry is gone (an erasure deleted it)."""
        wanted = [ObjectId(item) for item in outbox_ids if ObjectId.is_valid(item)]
        found = {str(message.id): message for message in await outbox.with_ids(wanted)}
        return [found.get(item) for item in outbox_ids]

    def verification_email(self, request: RightsRequest, link: str, hours: int) -> Email:
        """The e-mail with the link that verifies a request the person filed, in the
        request's language. Not recorded in `messages`: its outbox key is the
        verification's own."""
        language, strings = message_strings(request.locale)
        values = self._values(request, strings) | {"hours": hours}
        return Email(
            to=request.subject.email or "",
            subject=strings["subject_VERIFICATION"],
            text=render(
                "rights_message.txt",
                hello=strings["hello"],
                paragraphs=[
                    strings["verification"].format(**values) + f"\n{link}",
                    strings["verification_ignore"].format(**values),
                ],
                reference=strings["reference"].format(**values),
            ),
            headers={"Content-Language": language, "Auto-Submitted": "auto-generated"},
        )

    # -- building and queueing

    def _download_link(self, request: RightsRequest) -> tuple[str, datetime]:
        """The export's download link for the person: the one place it is made."""
        return self.exports.link(str(request.id), "json", for_subject=True)

    async def _send(
        self,
        request: RightsRequest,
        kind: Kind,
        texts: list[str],
        *,
        address: str | None = None,
        reason: str | None = None,
        after: list[str] | None = None,
        link: str | None = None,
        expires: datetime | None = None,
    ) -> RightsRequest:
        if any(message.kind is kind for message in request.messages):
            return request
        to = address if address is not None else request.subject.email
        now = self.clock.now()
        if not to:
            entry = SubjectMessage(kind=kind, at=now, undeliverable=NO_EMAIL_ADDRESS)
        elif not was_verified(request):
            entry = SubjectMessage(kind=kind, at=now, undeliverable=ADDRESS_NOT_VERIFIED)
        else:
            key = message_key(str(request.id), kind)
            # No subject ids: the answer to a request is not dropped when the person's
            # surveys stop (restriction, opt-out); an erasure finds it by the address.
            await self.mail.queue(
                self._email(request, kind, to, texts, reason, after or [], link, expires), key
            )
            queued = await outbox.id_of(key)
            entry = SubjectMessage(
                kind=kind, at=now, outbox_id=str(queued) if queued is not None else None
            )
        raw = await rights_requests.record_message(request.id, entry)
        if raw is None:  # recorded meanwhile
            return await RightsRequest.get(request.id) or request
        recorded: RightsRequest = RightsRequest.model_validate(raw)
        return recorded

    def _email(
        self,
        request: RightsRequest,
        kind: Kind,
        to: str,
        texts: list[str],
        reason: str | None,
        after: list[str],
        link: str | None,
        expires: datetime | None,
    ) -> Email:
        language, strings = message_strings(request.locale)
        values = self._values(request, strings)
        values["expires"] = expires.strftime("%Y-%m-%d %H:%M UTC") if expires else ""
        paragraphs = [strings[name].format(**values) for name in texts]
        if link is not None:
            paragraphs[-1] += f"\n{link}"
        if reason:
            paragraphs[-1] += f"\n\n{reason}"
        paragraphs += [strings[name].format(**values) for name in after]
        return Email(
            to=to,
            subject=strings[f"subject_{kind.value}"],
            text=render(
                "rights_message.txt",
                hello=strings["hello"],
                paragraphs=paragraphs,
                reference=strings["reference"].format(**values),
            ),
            headers={"Content-Language": language, "Auto-Submitted": "auto-generated"},
        )

    def _values(self, request: RightsRequest, strings: dict[str, str]) -> dict[str, Any]:
        return {
            "type": strings[f"type_{request.type.value}"],
            "received": request.received_at.date().isoformat(),
            "due": request.due_on.isoformat(),
            "expires": "",
            "form": self.settings.resolved_public_url() + FORM_PATH,
            "reference": str(request.id),
        }

    @staticmethod
    async def _request(request_id: str) -> RightsRequest:
        if not PydanticObjectId.is_valid(request_id):
            raise NotFound("Rights request", "id")
        found = await RightsRequest.get(PydanticObjectId(request_id))
        if found is None:
            raise NotFound("Rights request", "id")
        return found
