"""The widget's calls (logins, displays, scores, comments, declines) and the
responses that come out of them."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from beanie import PydanticObjectId
from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import DuplicateKeyError

from hub.batch import insert_later
from hub.clock import Clock
from hub.db import in_transaction, within_write_limit
from hub.errors import Conflict, ErrorCode, NotFound, ValidationFailed
from hub.models.activity import Display, DisplayContext, Login
from hub.models.common import Channel, Customer, Metric, UserIdentity
from hub.models.response import Response
from hub.models.survey import Survey, SurveyStatus
from hub.services.platform import validation
from hub.services.platform.paging import Page
from hub.services.surveys.surveys import SurveyService
from hub.services.widget.stores import contact_states, displays, people, responses
from hub.services.widget.throttling import Eligibility, Rule, ThrottlingService

T = TypeVar("T")
SurveyScope = frozenset[str] | None  # survey keys a widget key may use; None: all


@dataclass(frozen=True)
class ResponseFilter:
    survey_keys: list[str] | None = None
    metric: Metric | None = None
    score_min: int | None = None
    score_max: int | None = None
    product: str | None = None
    country: str | None = None
    channel: Channel | None = None
    has_comment: bool | None = None
    answered_from: datetime | None = None
    answered_to: datetime | None = None

    def index_hint(self) -> list[tuple[str, int]]:
        """The index that serves this filter best, named to the server so a page is an
        index scan whatever else the filter holds (a planner may otherwise scan)."""
        for value, field in [
            (self.survey_keys, "survey_key"),
            (self.product, "product"),
            (self.country, "customer.country"),
            (self.metric, "metric"),
            (self.channel, "channel"),
        ]:
            if value is not None:
                return [(field, ASCENDING), ("answered_at", DESCENDING)]
        return [("answered_at", DESCENDING), ("_id", DESCENDING)]

    def to_query(self) -> dict[str, Any]:
        """A MongoDB query built only from typed values, so nothing in it can be an
        operator a caller smuggled in."""
        query: dict[str, Any] = {}
        if self.survey_keys is not None:
            query["survey_key"] = {"$in": [str(key) for key in self.survey_keys]}
        if self.metric is not None:
            query["metric"] = self.metric.value
        score: dict[str, int] = {}
        if self.score_min is not None:
            score["$gte"] = int(self.score_min)
        if self.score_max is not None:
            score["$lte"] = int(self.score_max)
        if score:
            query["score"] = score
        if self.product is not None:
            query["product"] = str(self.product)
        if self.country is not None:
            query["customer.country"] = validation.country(self.country, "filter.country")
        if self.channel is not None:
            query["channel"] = self.channel.value
        if self.has_comment is not None:
            query["comment"] = {"$ne": None} if self.has_comment else None
        answered: dict[str, datetime] = {}
        if self.answered_from is not None:
            answered["$gte"] = self.answered_from
        if self.answered_to is not None:
            answered["$lt"] = self.answered_to
        if answered:
            query["answered_at"] = answered
        return query


def encode_cursor(response: Response) -> str:
    raw = f"{response.answered_at.isoformat()}|{response.id}"
    return base64.urlsafe_b64encode(raw.encode()).decode()


def decode_cursor(cursor: str) -> tuple[datetime, PydanticObjectId]:
    try:
        answered_at, object_id = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
        return datetime.fromisoformat(answered_at), PydanticObjectId(object_id)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise ValidationFailed(
            ErrorCode.INVALID_INPUT, "The cursor is not valid.", "after"
        ) from None


class ResponseListener:
    """Told of every widget write inside its transaction, with the session, so what
    it writes (follow-ups, outbox messages, rollups) commits or rolls back with it.
    The transaction may be retried: a listener must only write through `session`."""

    async def display_recorded(self, display: Display, session: AsyncClientSession) -> None:
        """A survey was shown."""

    async def score_submitted(self, response: Response, session: AsyncClientSession) -> None:
        """A display got a score."""

    async def comment_submitted(self, response: Response, session: AsyncClientSession) -> None:
        """A response got its comment (`response.comment` is set)."""

    async def survey_declined(self, display: Display, session: AsyncClientSession) -> None:
        """A display was declined (`display.declined_at` is set)."""

    async def transaction_ended(self, session: AsyncClientSession, committed: bool) -> None:
        """The transaction of `session` committed, or was given up. What a listener
        holds back until the write is durable (live events) goes out now or never."""


def _object_id(value: str, what: str, field: str) -> PydanticObjectId:
    if not PydanticObjectId.is_valid(value):
        raise NotFound(what, field)
    return PydanticObjectId(value)


class ResponseService:
    def __init__(
        self,
        clock: Clock,
        surveys: SurveyService,
        throttling: ThrottlingService,
        max_page_size: int,
        listeners: list[ResponseListener] | None = None,
        write_timeout: float = 10.0,
    ) -> None:
        self.write_timeout = write_timeout
        self.listeners = listeners or []
        self.clock = clock
        self.surveys = surveys
        self.throttling = throttling
        self.max_page_size = max_page_size

    async def _in_transaction(self, work: Callable[[AsyncClientSession], Awaitable[T]]) -> T:
        client = responses.STORE.client()

        async def ended(session: AsyncClientSession, committed: bool) -> None:
            for listener in self.listeners:
                await listener.transaction_ended(session, committed)

        # Bounded: while the database is away, a write fails (UNAVAILABLE) instead of
        # retrying the transaction for the driver's default two minutes.
        # The writes that answer nothing go to the server together (`hub.batch.Batch`).
        return await in_transaction(client, work, self.write_timeout, ended, batched=True)

    async def _survey_for(self, key: str, scope: SurveyScope) -> Survey | None:
        if scope is not None and key not in scope:
            return None  # a widget key sees only its own surveys: others do not exist
        return await self.surveys.find(key)

    async def eligibility(
        self,
        survey_key: str,
        user_id: str,
        channel: Channel,
        scope: SurveyScope = None,
        email: str | None = None,
    ) -> Eligibility:
        survey = await self._survey_for(survey_key, scope)
        return await self.throttling.check(survey, user_id.strip(), channel, email)

    @within_write_limit
    async def record_login(self, user: UserIdentity) -> Login:
        user = validation.user_identity(user)
        now = self.clock.now()
        login = Login(user=user, logged_in_at=now)

        async def work(session: AsyncClientSession) -> None:
            await insert_later(login, session)
            await people.count_login(user.id, now, session)

        await self._in_transaction(work)
        return login

    @within_write_limit
    async def record_display(
        self,
        survey_key: str,
        user: UserIdentity,
        channel: Channel,
        context: DisplayContext,
        locale: str | None,
        scope: SurveyScope = None,
    ) -> Display:
        """Record that the survey was shown. Refused when the person is not eligible,
        so a survey cannot be shown more often than its rules allow."""
        user = validation.user_identity(user)
        context = validation.display_context(context)
        survey = await self._survey_for(survey_key, scope)
        eligibility = await self.throttling.check(survey, user.id, channel, user.email)
        if survey is None:
            raise NotFound("Survey", "surveyKey")
        if not eligibility.eligible:
            reason = eligibility.reason
            code = {
                Rule.SURVEY_INACTIVE: ErrorCode.SURVEY_INACTIVE,
                Rule.CHANNEL_NOT_ENABLED: ErrorCode.CHANNEL_NOT_ENABLED,
            }.get(reason or Rule.SURVEY_INACTIVE, ErrorCode.NOT_ELIGIBLE)
            field = "channel" if code is ErrorCode.CHANNEL_NOT_ENABLED else "surveyKey"
            raise Conflict(
                code,
                f"The survey may not be shown now ({reason.value if reason else 'unknown'}).",
                field,
            )
        now = self.clock.now()
        if context.product is None:
            context = context.model_copy(update={"product": survey.product})
        display = Display(
            survey_key=survey.key,
            user=user,
            channel=channel,
            locale=survey.text_for(validation.locale_or_none(locale)).locale,
            context=context,
            shown_at=now,
        )
        state = eligibility.state
        # Eligible with a full count means the rest after ignored displays has passed.
        restart = (
            state is not None
            and state.unanswered_displays >= survey.contact_rules.max_displays_without_answer
        )

        async def work(session: AsyncClientSession) -> None:
            await insert_later(display, session)
            # Only if nobody showed it since we checked: two page loads at once must
            # not both get a display (the second's state collides: DuplicateKeyError).
            last_display_at = state.last_display_at if state else None
            await contact_states.count_display(
                user.id, survey.key, now, restart, last_display_at, session
            )
            await people.note_seen(user.id, now, session)
            for listener in self.listeners:
                await listener.display_recorded(display, session)

        try:
            await self._in_transaction(work)
        except DuplicateKeyError:
            raise Conflict(
                ErrorCode.NOT_ELIGIBLE,
                f"The survey may not be shown now ({Rule.DISPLAYED_RECENTLY.value}).",
                "surveyKey",
            ) from None
        return display

    async def _display(
        self, display_id: str, scope: SurveyScope, session: AsyncClientSession | None = None
    ) -> Display:
        """The display (as `session`'s transaction sees it, when given)."""
        display = await displays.read(_object_id(display_id, "Display", "displayId"), session)
        if display is None or (scope is not None and display.survey_key not in scope):
            raise NotFound("Display", "displayId")
        return display

    @within_write_limit
    async def submit_score(
        self, display_id: str, score: int, scope: SurveyScope = None
    ) -> Response:
        now = self.clock.now()
        response_id = PydanticObjectId()

        async def work(session: AsyncClientSession) -> Response:
            # The display is read in the transaction and every write goes with its
            # batch: one that commits between the two (another score, a decline, a
            # restriction flagging the display) conflicts, and the next attempt reads it.
            display = await self._display(display_id, scope, session)
            survey = await self._scorable(display, score)
            response = Response(
                id=response_id,
                survey_key=survey.key,
                metric=survey.metric,
                display_id=display.id,
                score=score,
                product=display.context.product or survey.product,
                customer=Customer(company=display.context.company, country=display.context.country),
                user=display.user,
                url=display.context.url,
                channel=display.channel,
                locale=display.locale,
                answered_at=now,
                # What a restricted person sends is kept, but not counted, posted or shown.
                analytics_excluded=display.analytics_excluded,
            )
            await displays.link_response(display.id, response.id, now, session)
            await insert_later(response, session)
            await contact_states.note_answer(display.user.id, survey.key, now, session)
            for listener in self.listeners:
                await listener.score_submitted(response, session)
            return response

        try:
            return await self._in_transaction(work)
        except DuplicateKeyError:
            raise Conflict(
                ErrorCode.ALREADY_ANSWERED, "This display has a score.", "displayId"
            ) from None

    async def _scorable(self, display: Display, score: int) -> Survey:
        """The display's survey, if `score` may be recorded for it now."""
        survey = await self.surveys.find(display.survey_key)
        if survey is None:
            raise NotFound("Survey", "displayId")
        if survey.status is not SurveyStatus.ACTIVE:
            raise Conflict(ErrorCode.SURVEY_INACTIVE, "The survey is not active.", "displayId")
        low, high = survey.metric.scale
        if not low <= score <= high:
            raise ValidationFailed(
                ErrorCode.SCORE_OUT_OF_RANGE,
                f"A {survey.metric.value} score is from {low} to {high}.",
                "score",
            )
        if display.declined_at is not None:
            raise Conflict(ErrorCode.ALREADY_DECLINED, "The survey was declined.", "displayId")
        if display.response_id is not None:
            raise Conflict(ErrorCode.ALREADY_ANSWERED, "This display has a score.", "displayId")
        return survey

    @within_write_limit
    async def submit_comment(
        self, response_id: str, comment: str, scope: SurveyScope = None
    ) -> Response:
        text = validation.comment(comment)
        object_id = _object_id(response_id, "Response", "responseId")
        now = self.clock.now()

        async def work(session: AsyncClientSession) -> Response | None:
            # Read in the transaction, written with its batch (see `set_comment`).
            raw = await responses.set_comment(object_id, text, now, scope, session)
            if raw is None:
                return None
            commented: Response = Response.model_validate(raw)
            for listener in self.listeners:
                await listener.comment_submitted(commented, session)
            return commented

        commented = await self._in_transaction(work)
        if commented is not None:
            return commented
        found = await Response.get(object_id)
        if found is None or (scope is not None and found.survey_key not in scope):
            raise NotFound("Response", "responseId")
        raise Conflict(ErrorCode.ALREADY_COMMENTED, "This response has a comment.", "responseId")

    @within_write_limit
    async def decline(self, display_id: str, scope: SurveyScope = None) -> Display:
        display = await self._display(display_id, scope)
        if display.response_id is not None:
            raise Conflict(ErrorCode.ALREADY_ANSWERED, "This display has a score.", "displayId")
        if display.declined_at is not None:
            raise Conflict(ErrorCode.ALREADY_DECLINED, "The survey was declined.", "displayId")
        now = self.clock.now()
        declined: Display = display.model_copy(update={"declined_at": now})

        async def work(session: AsyncClientSession) -> bool:
            if not await displays.mark_declined(display.id, now, session):
                return False
            await contact_states.note_decline(display.user.id, display.survey_key, now, session)
            for listener in self.listeners:
                await listener.survey_declined(declined, session)
            return True

        if not await self._in_transaction(work):
            raise Conflict(
                ErrorCode.ALREADY_ANSWERED, "This display was answered or declined.", "displayId"
            )
        return declined

    async def page(
        self,
        response_filter: ResponseFilter,
        first: int,
        after: str | None,
        withheld: bool = False,
    ) -> Page[Response]:
        """A page of responses, newest first. Responses of people taken out of
        processing (restricted, objected, erased: `analytics_excluded`) are left out
        unless `withheld` (privacy officers)."""
        if not 1 <= first <= self.max_page_size:
            raise ValidationFailed(
                ErrorCode.INVALID_INPUT, f"first must be from 1 to {self.max_page_size}.", "first"
            )
        query = response_filter.to_query()
        if not withheld:
            query["analytics_excluded"] = {"$ne": True}
        hint = response_filter.index_hint()
        total, page = await responses.newest_page(
            query, hint, decode_cursor(after) if after is not None else None, first + 1
        )
        found = [Response.model_validate(raw) for raw in page]
        return Page(
            edges=[(encode_cursor(response), response) for response in found[:first]],
            has_next_page=len(found) > first,
            total_count=total,
        )
