"""E-mail invitations: one e-mail per eligible recipient, queued through the outbox
with the survey link it carries; ineligible recipients are skipped with the reason.

An invitation shows the survey (its question and scale are in the e-mail), so it is
recorded as a display on the EMAIL channel when it is queued: the contact rules count
it like any other display, and the link in the e-mail answers that display."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from pymongo.asynchronous.client_session import AsyncClientSession

from hub import i18n
from hub.clock import Clock
from hub.db import in_transaction
from hub.errors import Conflict, DomainError, ErrorCode, NotFound, ValidationFailed
from hub.models.activity import DisplayContext
from hub.models.common import Channel, UserIdentity
from hub.models.link import SurveyLink
from hub.models.outbox import OutboxMessage
from hub.models.survey import Survey, SurveyStatus
from hub.rendering import render
from hub.services.channels.links import LinkService
from hub.services.channels.mail import Email, MailService
from hub.services.channels.stores import survey_links
from hub.services.platform import validation
from hub.services.privacy.suppression import SuppressionService
from hub.services.surveys.surveys import SurveyService
from hub.services.widget.responses import ResponseService
from hub.services.widget.throttling import Rule, ThrottlingService

MAX_RECIPIENTS = 1000


@dataclass(frozen=True)
class Recipient:
    user_id: str
    email: str | None
    username: str | None = None
    locale: str | None = None


class SkipReason(Enum):
    NOT_ELIGIBLE = "NOT_ELIGIBLE"  # a contact rule blocks: see `rule` and `until`
    MISSING_EMAIL = "MISSING_EMAIL"
    INVALID_EMAIL = "INVALID_EMAIL"
    INVALID_USER = "INVALID_USER"
    DUPLICATE_RECIPIENT = "DUPLICATE_RECIPIENT"  # twice in the same request
    ALREADY_INVITED = "ALREADY_INVITED"  # invited to this survey earlier the same day


@dataclass(frozen=True)
class Invited:
    index: int
    user_id: str
    link: SurveyLink


@dataclass(frozen=True)
class Skipped:
    index: int
    user_id: str
    reason: SkipReason
    rule: Rule | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class InvitationReport:
    invited: list[Invited]
    skipped: list[Skipped]


class _AlreadyQueued(Exception):
    pass


class InvitationService:
    def __init__(
        self,
        clock: Clock,
        surveys: SurveyService,
        throttling: ThrottlingService,
        links: LinkService,
        mail: MailService,
        responses: ResponseService,
        suppressions: SuppressionService,
    ) -> None:
        self.suppressions = suppressions
        self.responses = responses
        self.clock = clock
        self.surveys = surveys
        self.throttling = throttling
        self.links = links
        self.mail = mail

    async def send(self, survey_key: str, recipients: list[Recipient]) -> InvitationReport:
        """Queue one invitation per eligible recipient; report who was skipped and why.
        The survey must be active and have the EMAIL channel."""
        survey = await self.surveys.find(validation.survey_key(survey_key, "surveyKey"))
        if survey is None:
            raise NotFound("Survey", "surveyKey")
        if survey.status is not SurveyStatus.ACTIVE:
            raise Conflict(ErrorCode.SURVEY_INACTIVE, "The survey is not active.", "surveyKey")
        if Channel.EMAIL not in survey.channels:
            raise Conflict(
                ErrorCode.CHANNEL_NOT_ENABLED,
                "The survey is not enabled for the EMAIL channel.",
                "surveyKey",
            )
        if not 1 <= len(recipients) <= MAX_RECIPIENTS:
            raise ValidationFailed(
                ErrorCode.INVALID_INPUT,
                f"Send to 1 to {MAX_RECIPIENTS} recipients at a time.",
                "recipients",
            )
        invited: list[Invited] = []
        skipped: list[Skipped] = []
        seen: set[str] = set()
        for index, recipient in enumerate(recipients):
            outcome = await self._invite(survey, index, recipient, seen)
            (invited if isinstance(outcome, Invited) else skipped).append(outcome)  # type: ignore[arg-type]
        return InvitationReport(invited, skipped)

    async def _invite(
        self, survey: Survey, index: int, recipient: Recipient, seen: set[str]
    ) -> Invited | Skipped:
        user_id = (recipient.user_id or "").strip()
        try:
            user = validation.user_identity(
                UserIdentity(id=user_id, username=recipient.username, email=recipient.email)
            )
        except DomainError as error:
            reason = (
                SkipReason.INVALID_EMAIL
                if error.code is ErrorCode.INVALID_EMAIL
                else SkipReason.INVALID_USER
            )
            return Skipped(index, user_id, reason)
        if user.email is None:
            return Skipped(index, user.id, SkipReason.MISSING_EMAIL)
        if user.id in seen:
            return Skipped(index, user.id, SkipReason.DUPLICATE_RECIPIENT)
        seen.add(user.id)
        eligibility = await self.throttling.check(survey, user.id, Channel.EMAIL, user.email)
        if not eligibility.eligible:
            return Skipped(
                index,
                user.id,
                SkipReason.NOT_ELIGIBLE,
                eligibility.reason,
                eligibility.next_eligible_at,
            )
        # One invitation per person, survey and day. The key outlives the delivery, so
        # it names the person by a keyed hash (HMAC with the server secret), not the id.
        [person] = self.suppressions.hmacs(user_id=user.id)
        key = f"invitation:{survey.key}:{person}:{self.clock.now():%Y-%m-%d}"
        if await OutboxMessage.find_one(OutboxMessage.key == key) is not None:
            return Skipped(index, user.id, SkipReason.ALREADY_INVITED)
        link = self.links.new_link(survey, user, recipient.locale, Channel.EMAIL)
        try:
            display = await self.responses.record_display(
                survey.key, user, Channel.EMAIL, DisplayContext(), recipient.locale
            )
        except Conflict:  # shown elsewhere since the check: the rules block it now
            blocked = await self.throttling.check(survey, user.id, Channel.EMAIL, user.email)
            return Skipped(
                index, user.id, SkipReason.NOT_ELIGIBLE, blocked.reason, blocked.next_eligible_at
            )
        link.display_id = display.id
        email = self.compose(survey, link)

        async def work(session: AsyncClientSession) -> None:
            await link.insert(session=session)
            if not await self.mail.queue(email, key, [user.id], session=session):
                raise _AlreadyQueued

        client = survey_links.STORE.client()
        try:
            await in_transaction(client, work)
        except _AlreadyQueued:
            return Skipped(index, user.id, SkipReason.ALREADY_INVITED)
        return Invited(index, user.id, link)

    def compose(self, survey: Survey, link: SurveyLink) -> Email:
        """The invitation in the person's locale: the question, the scale as one-click
        links that record the score, and the opt-out link."""
        assert link.user.email is not None
        text = survey.text_for(link.locale)
        strings = i18n.strings(text.locale)
        low, high = survey.metric.scale
        values = {
            "lang": text.locale,
            "question": text.question,
            "strings": strings,
            "low_label": strings[f"{survey.metric.value}_low"],
            "high_label": strings[f"{survey.metric.value}_high"],
            "scores": [
                (score, self.links.score_url(link, score)) for score in range(low, high + 1)
            ],
            "opt_out_url": self.links.opt_out_url(link),
        }
        return Email(
            to=link.user.email,
            subject=strings["email_subject"].format(product=survey.product),
            text=render("invitation.txt", **values),
            html=render("invitation.html", **values),
            headers={"List-Unsubscribe": f"<{values['opt_out_url']}>"},
        )
