"""Replies to the customer: the employee who claimed a follow-up e-mails the person
who gave the feedback, from Slack or over GraphQL, and the follow-up records it.

A reply is contact with the person, so it honours what the widget and the e-mail
channels honour: nobody who objected (also through an e-mail's opt-out link), whose
data is restricted or who was erased is written to, and nobody without an address.
The e-mail is written in the language the person answered the survey in, its
Reply-To is the routing rule's, and it leaves through the outbox in the same
transaction that records it on the follow-up, under an idempotency key: a retried
submission finds its key and sends nothing again."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from pymongo.asynchronous.client_session import AsyncClientSession

from hub import i18n
from hub.clock import Clock
from hub.db import in_transaction
from hub.errors import Conflict, ErrorCode, ValidationFailed
from hub.models.followup import Actor, CustomerReply, FollowUp, FollowUpStatus
from hub.models.response import Response
from hub.models.suppression import SuppressionReason
from hub.rendering import render
from hub.services.channels.mail import Email, MailService
from hub.services.followups.followups import FollowUpService
from hub.services.followups.routing import RoutingService
from hub.services.followups.stores import follow_ups
from hub.services.platform import validation
from hub.services.platform.stores import outbox
from hub.services.privacy.suppression import SuppressionService

MAX_REPLY_LENGTH = 3000  # what a Slack text box holds
KEY_PREFIX = "customer-reply"
ANONYMOUS = "anonymous"  # the user id erasure and retention leave on a response

_PARAGRAPHS = re.compile(r"\n\s*\n")


@dataclass(frozen=True)
class ReplyDraft:
    """What the reply form shows: the follow-up, what the customer wrote, where the
    e-mail goes and the language it is written for."""

    follow_up: FollowUp
    response: Response
    email: str
    language: str

    @property
    def language_name(self) -> str:
        return i18n.LANGUAGE_NAMES.get(self.language, self.language)


class _AlreadySent(Exception):
    """The reply's idempotency key was queued before: nothing more to do."""


class _NoLongerClaimed(Exception):
    """The follow-up changed hands between the checks and the write."""


def reply_key(follow_up_id: str, actor: Actor, text: str, request_key: str | None) -> str:
    """The outbox key of a reply. `request_key` names one submission (a Slack view's
    id, a client's idempotency key); without one, the same text from the same sender
    is the same reply. Hashed, so the key quotes nothing the sender wrote."""
    token = request_key if request_key else f"{actor.id}\n{text}"
    digest = hashlib.sha256(token.encode()).hexdigest()[:32]
    return f"{KEY_PREFIX}:{follow_up_id}:{digest}"


class CustomerReplies:
    def __init__(
        self,
        clock: Clock,
        follow_ups: FollowUpService,
        routing: RoutingService,
        mail: MailService,
        suppressions: SuppressionService,
    ) -> None:
        self.clock = clock
        self.follow_ups = follow_ups
        self.routing = routing
        self.mail = mail
        self.suppressions = suppressions

    async def draft(self, follow_up_id: str, actor: Actor) -> ReplyDraft:
        """The reply form of a follow-up that `actor` has claimed and whose customer
        may be written to; else the error that says why not (before anything is shown)."""
        follow_up = await self.follow_ups.get(follow_up_id)
        self._check_claimer(follow_up, actor)
        response = await self.follow_ups.response_of(follow_up)
        email = await self._contactable(follow_up, response)
        assert response is not None  # _contactable refuses a missing response
        return ReplyDraft(follow_up, response, email, i18n.language_of(response.locale))

    async def send(
        self, follow_up_id: str, actor: Actor, text: str, request_key: str | None = None
    ) -> FollowUp:
        """E-mail the customer and record the reply on the follow-up, which then counts
        as "customer informed"; its Slack messages follow. Sending the same submission
        again (`request_key`, see `reply_key`) sends nothing and answers the follow-up."""
        body = validation.clean_text(text, "text", MAX_REPLY_LENGTH)
        if body is None:
            raise ValidationFailed(ErrorCode.INVALID_INPUT, "Write the reply first.", "text")
        key = reply_key(follow_up_id, actor, body, request_key)
        if await outbox.id_of(key) is not None:
            return await self.follow_ups.get(follow_up_id)
        draft = await self.draft(follow_up_id, actor)
        follow_up = draft.follow_up
        reply_to = await self.routing.reply_to_for(draft.response)
        email = compose(draft, body, reply_to)
        now = self.clock.now()

        async def work(session: AsyncClientSession) -> FollowUp:
            if not await self.mail.queue(email, key, [follow_up.subject_id], session=session):
                raise _AlreadySent
            reply = CustomerReply(
                by=actor,
                text=body,
                to=draft.email,
                locale=draft.language,
                outbox_id=str(await outbox.id_of(key, session)),
                sent_at=now,
            )
            raw = await follow_ups.add_customer_reply(
                follow_up.id,
                actor.id,
                reply.model_dump(),
                now if follow_up.customer_informed_at is None else None,
                session,
            )
            if raw is None:
                raise _NoLongerClaimed
            recorded: FollowUp = FollowUp.model_validate(raw)
            return recorded

        try:
            replied: FollowUp = await in_transaction(follow_ups.STORE.client(), work)
        except _AlreadySent:
            return await self.follow_ups.get(follow_up_id)
        except _NoLongerClaimed:
            self._check_claimer(await self.follow_ups.get(follow_up_id), actor)
            raise Conflict(  # theirs again by now: they may send it once more
                ErrorCode.INVALID_TRANSITION, "The follow-up changed; try again.", "id"
            ) from None
        await self.follow_ups.refresh_messages(replied)
        return replied

    @staticmethod
    def _check_claimer(follow_up: FollowUp, actor: Actor) -> None:
        """Only the one who has the follow-up claimed speaks to the customer about it."""
        if follow_up.status is FollowUpStatus.RESOLVED:
            raise Conflict(ErrorCode.ALREADY_RESOLVED, "The follow-up is resolved.", "id")
        if follow_up.status is FollowUpStatus.OPEN or follow_up.claimed_by is None:
            raise Conflict(
                ErrorCode.INVALID_TRANSITION,
                "Claim the follow-up before replying to the customer.",
                "id",
            )
        if follow_up.claimed_by.id != actor.id:
            raise Conflict(
                ErrorCode.NOT_CLAIMER,
                "Only the one who claimed the follow-up may reply to the customer.",
                "id",
            )

    async def _contactable(self, follow_up: FollowUp, response: Response | None) -> str:
        """The customer's address, when the privacy rules allow writing to them."""
        if response is None or response.user.id == ANONYMOUS:
            raise _erased()
        user = response.user
        reasons = await self.suppressions.reasons(user.id, user.email)
        if SuppressionReason.ERASURE in reasons:
            raise _erased()
        if SuppressionReason.OBJECTION in reasons:
            raise Conflict(
                ErrorCode.CONTACT_OBJECTED,
                "The customer objected to being contacted; no e-mail can be sent to them.",
                "id",
            )
        if SuppressionReason.RESTRICTION in reasons or follow_up.redacted:
            raise Conflict(
                ErrorCode.CONTACT_RESTRICTED,
                "The customer's data is restricted; they cannot be contacted while the "
                "restriction lasts.",
                "id",
            )
        if not user.email:
            raise Conflict(ErrorCode.NO_EMAIL_ADDRESS, "The customer left no e-mail address.", "id")
        return user.email


def _erased() -> Conflict:
    return Conflict(
        ErrorCode.CONTACT_ERASED,
        "The customer's data was erased; they cannot be contacted.",
        "id",
    )


def compose(draft: ReplyDraft, text: str, reply_to: str | None) -> Email:
    """The reply in the survey's language: the employee's text, what the customer
    wrote, and why they get the e-mail."""
    strings = i18n.STRINGS[draft.language]
    product = draft.response.product
    values = {
        "lang": draft.language,
        "strings": strings,
        "text": text,
        "paragraphs": [part.splitlines() for part in _PARAGRAPHS.split(text) if part.strip()],
        "comment_lines": (draft.response.comment or "").splitlines(),
        "footer": strings["reply_footer"].format(product=product),
    }
    headers = {"Content-Language": draft.language}
    if reply_to:
        headers["Reply-To"] = reply_to
    return Email(
        to=draft.email,
        subject=strings["reply_subject"].format(product=product),
        text=render("customer_reply.txt", **values),
        html=render("customer_reply.html", **values),
        headers=headers,
    )
