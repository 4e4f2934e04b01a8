"""Survey links: signed, expiring URLs (`/s/<token>`) bound to one person and one
survey, answered at most once, and the opt-out links of e-mails (`/o/<token>`).

Nothing about the person can be read from either URL, which ends up in mail
scanners, proxies and browser histories:

- A survey link's token is signed with the server secret and carries only the
  link's id and expiry; who and which survey are in the link's document. A token
  that was changed or cut short fails the signature check; one past its expiry is
  refused; either way nothing is recorded. Single use is kept by the link's
  document: it gets one display, and through it one response or decline.
- An opt-out token must work after the survey link is gone, so it carries the
  survey, the user id and the keyed hash of the e-mail address itself, encrypted
  and authenticated (Fernet, with a key derived from the server secret). It has no
  expiry: it works as long as the server secret does.

Both signed tokens are made and checked by `hub.services.platform.tokens`.
"""

from __future__ import annotations

import asyncio
import base64
import json
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Any

from beanie import PydanticObjectId
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from hub.clock import Clock
from hub.errors import Conflict, ErrorCode, NotFound, ValidationFailed
from hub.models.activity import DisplayContext
from hub.models.common import Channel, UserIdentity
from hub.models.link import SurveyLink
from hub.models.response import Response
from hub.models.suppression import SuppressionReason
from hub.models.survey import Survey, SurveyStatus
from hub.services.channels.stores import survey_links
from hub.services.platform import validation
from hub.services.platform.outbox import OutboxService
from hub.services.platform.tokens import MAX_TOKEN, Purpose, SignedTokens, invalid
from hub.services.privacy.erasure_ledger import ErasureLedger
from hub.services.privacy.suppression import SuppressionService
from hub.services.surveys.surveys import SurveyService
from hub.services.widget.responses import ResponseService
from hub.settings import Settings

# A link opened twice at once: how long to wait for the other request's display.
RACE_POLLS = 20
RACE_POLL_SECONDS = 0.05


class LinkState(Enum):
    OPEN = "OPEN"  # no score yet: show the scale
    SCORED = "SCORED"  # a score, no comment yet: show the follow-up
    FINISHED = "FINISHED"  # commented or skipped: show the thanks
    DECLINED = "DECLINED"


@dataclass(frozen=True)
class OptOut:
    survey_key: str
    user_id: str
    hashes: list[str]  # keyed hashes of the user id and the e-mail address
    locale: str | None
    done: bool


@dataclass(frozen=True)
class OpenedLink:
    link: SurveyLink
    survey: Survey
    state: LinkState
    response: Response | None


class LinkService:
    def __init__(
        self,
        clock: Clock,
        settings: Settings,
        secret: bytes,
        surveys: SurveyService,
        responses: ResponseService,
        suppressions: SuppressionService,
        outbox: OutboxService,
        ledger: ErasureLedger | None = None,
    ) -> None:
        self.ledger = ledger
        self.clock = clock
        self.settings = settings
        self.surveys = surveys
        self.responses = responses
        self.suppressions = suppressions
        self.outbox = outbox
        self._tokens = SignedTokens(secret, clock)
        self._opt_outs = _fernet(secret, Purpose.OPT_OUT)

    # -- creating -------------------------------------------------------------------

    def new_link(
        self,
        survey: Survey,
        user: UserIdentity,
        locale: str | None,
        channel: Channel,
        ttl_days: int | None = None,
    ) -> SurveyLink:
        """A link document, not yet stored (the caller inserts it, perhaps in a
        transaction with the e-mail that carries it)."""
        if channel not in survey.channels:
            raise Conflict(
                ErrorCode.CHANNEL_NOT_ENABLED,
                f"The survey is not enabled for the {channel.value} channel.",
                "surveyKey",
            )
        days = ttl_days if ttl_days is not None else self.settings.link_ttl_days
        if not 1 <= days <= 365:
            raise ValidationFailed(
                ErrorCode.INVALID_INPUT, "A link is valid for 1 to 365 days.", "expiresInDays"
            )
        now = self.clock.now()
        return SurveyLink(
            id=PydanticObjectId(),
            survey_key=survey.key,
            user=validation.user_identity(user),
            locale=validation.locale_or_none(locale),
            channel=channel,
            created_at=now,
            expires_at=now + timedelta(days=days),
        )

    async def create(
        self,
        survey_key: str,
        user: UserIdentity,
        locale: str | None = None,
        ttl_days: int | None = None,
    ) -> tuple[SurveyLink, str]:
        """A shared link (channel LINK) and its URL."""
        survey = await self.surveys.find(validation.survey_key(survey_key, "surveyKey"))
        if survey is None:
            raise NotFound("Survey", "surveyKey")
        if survey.status is not SurveyStatus.ACTIVE:
            raise Conflict(ErrorCode.SURVEY_INACTIVE, "The survey is not active.", "surveyKey")
        link = self.new_link(survey, user, locale, Channel.LINK, ttl_days)
        await link.insert()
        return link, self.url(link)

    def token(self, link: SurveyLink) -> str:
        return self._tokens.issue(Purpose.SURVEY_LINK, {"l": str(link.id)}, _aware(link.expires_at))

    def url(self, link: SurveyLink) -> str:
        return f"{self.settings.resolved_public_url()}/s/{self.token(link)}"

    def score_url(self, link: SurveyLink, score: int) -> str:
        return f"{self.url(link)}/score/{score}"

    def opt_out_url(self, link: SurveyLink) -> str:
        """A link that works as long as the server secret does, even after the survey
        link is gone: it carries, encrypted, the survey, the user id, the keyed hash of
        the e-mail address (never the address) and the page's locale."""
        payload = {
            "s": link.survey_key,
            "u": link.user.id,
            "h": self.suppressions.hmacs(email=link.user.email),
            "l": link.locale,
        }
        plain = json.dumps(payload, separators=(",", ":")).encode()
        token = self._opt_outs.encrypt(plain).decode().rstrip("=")
        return f"{self.settings.resolved_public_url()}/o/{token}"

    # -- opening --------------------------------------------------------------------

    async def resolve(self, token: str) -> SurveyLink:
        """The link a token stands for; LINK_INVALID or LINK_EXPIRED otherwise."""
        link_id = str(self._tokens.open(Purpose.SURVEY_LINK, token).get("l", ""))
        link = None
        if PydanticObjectId.is_valid(link_id):
            link = await SurveyLink.get(PydanticObjectId(link_id))
        if link is None:
            raise invalid()
        return link

    async def open(self, token: str) -> OpenedLink:
        link = await self.resolve(token)
        survey = await self.surveys.get(link.survey_key)
        response = await Response.get(link.response_id) if link.response_id else None
        if link.declined_at is not None:
            state = LinkState.DECLINED
        elif response is None:
            state = LinkState.OPEN
        elif link.finished_at is not None or response.comment is not None:
            state = LinkState.FINISHED
        else:
            state = LinkState.SCORED
        return OpenedLink(link, survey, state, response)

    async def ensure_display(self, link: SurveyLink, locale: str | None) -> SurveyLink:
        """Record the display the first time the survey is shown through the link.
        Refused (NOT_ELIGIBLE) when the contact rules do not allow it now."""
        if link.display_id is not None:
            return link
        try:
            display = await self.responses.record_display(
                link.survey_key,
                link.user,
                link.channel,
                DisplayContext(),
                link.locale or locale,
            )
        except Conflict:
            # Opened twice at once: the other request's display is the link's.
            for _ in range(RACE_POLLS):
                fresh = await SurveyLink.get(link.id)
                if fresh is not None and fresh.display_id is not None:
                    return fresh
                await asyncio.sleep(RACE_POLL_SECONDS)
            raise
        raw = await survey_links.attach_display(link.id, display.id)
        if raw is None:
            fresh = await SurveyLink.get(link.id)
            assert fresh is not None
            return fresh
        stored: SurveyLink = SurveyLink.model_validate(raw)
        return stored

    async def submit_score(self, token: str, score: int, locale: str | None) -> SurveyLink:
        """Record the score once; a second score through the same link is a conflict."""
        link = await self.resolve(token)
        if link.response_id is not None or link.declined_at is not None:
            raise Conflict(ErrorCode.ALREADY_ANSWERED, "This link was answered.", "token")
        link = await self.ensure_display(link, locale)
        assert link.display_id is not None
        response = await self.responses.submit_score(str(link.display_id), score)
        await survey_links.set_response(link.id, response.id)
        return link

    async def submit_comment(self, token: str, comment: str) -> Response:
        link = await self.resolve(token)
        if link.response_id is None:
            raise Conflict(ErrorCode.INVALID_TRANSITION, "Give a score first.", "token")
        response = await self.responses.submit_comment(str(link.response_id), comment)
        await survey_links.set_finished(link.id, self.clock.now())
        return response

    async def skip_comment(self, token: str) -> None:
        link = await self.resolve(token)
        if link.response_id is None:
            raise Conflict(ErrorCode.INVALID_TRANSITION, "Give a score first.", "token")
        await survey_links.mark_finished(link.id, self.clock.now())

    async def decline(self, token: str, locale: str | None) -> None:
        link = await self.resolve(token)
        if link.response_id is not None:
            raise Conflict(ErrorCode.ALREADY_ANSWERED, "This link was answered.", "token")
        if link.declined_at is not None:
            return
        link = await self.ensure_display(link, locale)
        assert link.display_id is not None
        display = await self.responses.decline(str(link.display_id))
        await survey_links.set_declined(link.id, display.declined_at)

    # -- opting out -----------------------------------------------------------------

    async def opt_out_request(self, token: str) -> OptOut:
        """Who an opt-out token is for, and whether they already opted out (objected
        or were erased; a restriction is no opt-out: it ends when lifted)."""
        payload = self._opt_out_payload(token)
        try:
            survey_key, user_id = str(payload["s"]), str(payload["u"])
            email_hashes = [str(digest) for digest in payload["h"]]
            locale = payload.get("l")
        except (KeyError, TypeError):
            raise invalid() from None
        hashes = [*self.suppressions.hmacs(user_id=user_id), *email_hashes]
        return OptOut(
            survey_key=survey_key,
            user_id=user_id,
            hashes=hashes,
            locale=locale if isinstance(locale, str) else None,
            done=await self.suppressions.is_objecting(hashes),
        )

    def _opt_out_payload(self, token: str) -> dict[str, Any]:
        if len(token) > MAX_TOKEN:
            raise invalid()
        try:
            plain = self._opt_outs.decrypt(token + "=" * (-len(token) % 4))
        except (InvalidToken, ValueError):
            return self._tokens.open_without_expiry(Purpose.OPT_OUT, token)
        try:
            payload: object = json.loads(plain)
        except ValueError:
            raise invalid() from None
        if not isinstance(payload, dict):
            raise invalid()
        return payload

    async def opt_out(self, token: str) -> OptOut:
        """Record an objection: the person is suppressed from every survey at once and
        their queued e-mails are dropped. Opting out twice changes nothing more."""
        request = await self.opt_out_request(token)
        if not request.done:
            await self.suppressions.record_opt_out(request.survey_key, request.hashes)
        if self.ledger is not None:  # so that a restored backup cannot undo it
            await self.ledger.record(request.hashes, SuppressionReason.OBJECTION, erase=False)
        await self.outbox.drop_for_subject(request.user_id)
        return replace(request, done=True)


def _fernet(secret: bytes, purpose: str) -> Fernet:
    """A Fernet cipher keyed for one purpose by HKDF from the server secret."""
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose.encode())
    return Fernet(base64.urlsafe_b64encode(key.derive(secret)))


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
