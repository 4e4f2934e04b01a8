"""Rollup writing: what one display or response adds to the rollups (the one
extraction of dimensions and counters, used by writes, exclusion and the rebuild),
the increments after each widget write, and taking a person out of analytics."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import PyMongoError

from hub.db import in_transaction
from hub.models.activity import Display
from hub.models.common import Channel, Metric
from hub.models.event import LiveEvent
from hub.models.response import Response
from hub.models.rollup import SURVEY_LEVEL, Detail
from hub.models.survey import Survey
from hub.services.analytics.grains import GRAINS
from hub.services.analytics.stores import rollups as rollup_store
from hub.services.surveys.surveys import SurveyService
from hub.services.widget.events import EventKind
from hub.services.widget.responses import ResponseListener
from hub.services.widget.stores import displays as display_store
from hub.services.widget.stores import responses as response_store

log = logging.getLogger(__name__)

# What one write adds to the rollups: dimensions, when, and the counters.
Increment = tuple[dict[str, Any], datetime, dict[str, int]]

# The fields of a stored display and response that the rollups count.
DISPLAY_FIELDS = {"survey_key": 1, "context": 1, "channel": 1, "shown_at": 1, "declined_at": 1}
RESPONSE_FIELDS = {
    "survey_key": 1,
    "metric": 1,
    "product": 1,
    "customer": 1,
    "channel": 1,
    "score": 1,
    "comment": 1,
    "answered_at": 1,
}


def _channel(value: Any) -> str:
    return Channel(value).value


def display_increment(display: Mapping[str, Any], metric: Metric) -> Increment:
    """Everything a display adds, from its stored fields (`DISPLAY_FIELDS`): one display
    and, when it was declined, one decline, both at the time it was shown."""
    context = display.get("context") or {}
    dimensions = {
        "survey_key": display["survey_key"],
        "metric": Metric(metric).value,
        "product": context.get("product") or "",
        "country": context.get("country"),
        "channel": _channel(display["channel"]),
        "company": context.get("company"),
    }
    counters = {"displays": 1, **({"declines": 1} if display.get("declined_at") else {})}
    return dimensions, display["shown_at"], counters


def response_increment(response: Mapping[str, Any]) -> Increment:
    """Everything a response adds, from its stored fields (`RESPONSE_FIELDS`): its score
    and, when it has one, its comment, both at the time it was scored."""
    customer = response.get("customer") or {}
    dimensions = {
        "survey_key": response["survey_key"],
        "metric": Metric(response["metric"]).value,
        "product": response["product"],
        "country": customer.get("country"),
        "channel": _channel(response["channel"]),
        "company": customer.get("company"),
    }
    score = int(response["score"])
    counters = {"responses": 1, "score_sum": score, f"scores.s{score}": 1}
    if response.get("comment") is not None:
        counters["comments"] = 1
    return dimensions, response["answered_at"], counters


def _of_display(display: Display, metric: Metric) -> Increment:
    return display_increment(display.model_dump(include=set(DISPLAY_FIELDS)), metric)


def _of_response(response: Response) -> Increment:
    return response_increment(response.model_dump(include=set(RESPONSE_FIELDS)))


def _only(increment: Increment, keep: Callable[[str], bool]) -> list[Increment]:
    """The part of a record's increment that one write adds."""
    dimensions, at, counters = increment
    return [(dimensions, at, {name: value for name, value in counters.items() if keep(name)})]


def levels(dimensions: dict[str, Any]) -> list[dict[str, Any]]:
    """The keys of one write's rollups at each level of detail."""
    survey = {name: (dimensions[name] if name in SURVEY_LEVEL else None) for name in dimensions}
    return [{**dimensions, "detail": Detail.FULL.value}, {**survey, "detail": Detail.SURVEY.value}]


async def add(
    dimensions: dict[str, Any],
    at: datetime,
    counters: dict[str, int],
    session: AsyncClientSession | None,
    sign: int = 1,
) -> None:
    """Add (or with sign -1, take away) counters at time `at`, in its day, hour and
    quarter-hour."""
    increment = {name: sign * value for name, value in counters.items()}
    for grain in GRAINS:
        # Both levels in one round trip (and one commit) per grain.
        time = grain.floor(at)
        await rollup_store.increment(
            grain.model, grain.field, time, levels(dimensions), increment, session
        )


async def metric_of(surveys: SurveyService, survey_key: str) -> Metric:
    """A survey's metric, which never changes: read through the survey cache, as every
    display and decline needs it."""
    survey = await surveys.find(survey_key)
    if survey is None:  # a display always names an existing survey
        raise LookupError("display of an unknown survey")
    return survey.metric


@dataclass(frozen=True)
class ExclusionReport:
    displays: int
    responses: int


class RollupWriter:
    """What each widget write adds to the rollups, and a person's contributions taken
    out (or put back)."""

    def __init__(self, surveys: SurveyService) -> None:
        self.surveys = surveys

    async def apply(self, increments: list[Increment]) -> None:
        for dimensions, at, counters in increments:
            await add(dimensions, at, counters, None)

    async def display_increments(self, display: Display) -> list[Increment]:
        metric = await metric_of(self.surveys, display.survey_key)
        return _only(_of_display(display, metric), lambda name: name == "displays")

    async def decline_increments(self, display: Display) -> list[Increment]:
        metric = await metric_of(self.surveys, display.survey_key)
        if display.analytics_excluded:
            return []
        return _only(_of_display(display, metric), lambda name: name == "declines")

    @staticmethod
    def score_increments(response: Response) -> list[Increment]:
        if response.analytics_excluded:
            return []
        return _only(_of_response(response), lambda name: name != "comments")

    @staticmethod
    def comment_increments(response: Response) -> list[Increment]:
        if response.analytics_excluded:
            return []
        return _only(_of_response(response), lambda name: name == "comments")

    async def exclude_person(self, user_id: str) -> ExclusionReport:
        """Take a person's displays, declines, scores and comments out of analytics
        (restriction, objection, erasure): their rollup contributions are removed and
        their records marked, so a rebuild leaves them out too and exports skip them.
        Running it again changes nothing."""
        return await self._set_excluded(str(user_id), excluded=True)

    async def include_person(self, user_id: str) -> ExclusionReport:
        """Undo `exclude_person` (a restriction lifted)."""
        return await self._set_excluded(str(user_id), excluded=False)

    async def _set_excluded(self, user_id: str, excluded: bool) -> ExclusionReport:
        sign = -1 if excluded else 1
        client = response_store.STORE.client()
        metrics = {survey.key: survey.metric for survey in await Survey.find_all().to_list()}

        async def work(session: AsyncClientSession) -> ExclusionReport:
            query = {"user.id": user_id, "analytics_excluded": {"$ne": excluded}}
            displays = await Display.find(query, session=session).to_list()
            responses = await Response.find(query, session=session).to_list()
            increments = [_of_display(display, metrics[display.survey_key]) for display in displays]
            increments += [_of_response(response) for response in responses]
            for dimensions, at, counters in increments:
                await add(dimensions, at, counters, session, sign)
            await display_store.set_excluded(user_id, excluded, session)
            await response_store.set_excluded(user_id, excluded, session)
            return ExclusionReport(displays=len(displays), responses=len(responses))

        report: ExclusionReport = await in_transaction(client, work)
        return report


class AnalyticsListener(ResponseListener):
    """Adds each widget write to the rollups once its transaction has committed, and
    records the live event of each score, comment and decline inside it.

    The rollup counters are hot documents (every answer of a survey on one day lands
    in the same few): incremented inside the widget's transactions they would make
    concurrent answers conflict and retry. Atomic `$inc` upserts after the commit
    cannot conflict. Should the process die between the commit and the increments,
    `rebuildRollups` recounts from the raw records. What a transaction adds is held
    per session and keyed by record, so a retried transaction counts once. A live
    event is a new document, which conflicts with nothing: it commits or rolls back
    with the record it announces."""

    def __init__(self, rollups: RollupWriter) -> None:
        self.rollups = rollups
        self._increments: dict[int, dict[tuple[str, str], list[Increment]]] = {}

    def _count(
        self, session: AsyncClientSession, what: str, record_id: str, increments: list[Increment]
    ) -> None:
        self._increments.setdefault(id(session), {})[(what, record_id)] = increments

    async def _announce(
        self, session: AsyncClientSession, kind: EventKind, record_id: Any, at: datetime
    ) -> None:
        await LiveEvent(kind=kind, record_id=record_id, at=at).insert(session=session)

    async def display_recorded(self, display: Display, session: AsyncClientSession) -> None:
        increments = await self.rollups.display_increments(display)
        self._count(session, "display", str(display.id), increments)

    async def score_submitted(self, response: Response, session: AsyncClientSession) -> None:
        self._count(session, "score", str(response.id), self.rollups.score_increments(response))
        if not response.analytics_excluded:
            await self._announce(session, EventKind.SCORE, response.id, response.answered_at)

    async def comment_submitted(self, response: Response, session: AsyncClientSession) -> None:
        increments = self.rollups.comment_increments(response)
        self._count(session, "comment", str(response.id), increments)
        at = response.commented_at or response.answered_at
        if not response.analytics_excluded:
            await self._announce(session, EventKind.COMMENT, response.id, at)

    async def survey_declined(self, display: Display, session: AsyncClientSession) -> None:
        increments = await self.rollups.decline_increments(display)
        self._count(session, "decline", str(display.id), increments)
        at = display.declined_at or display.shown_at
        if not display.analytics_excluded:
            await self._announce(session, EventKind.DECLINE, display.id, at)

    async def transaction_ended(self, session: AsyncClientSession, committed: bool) -> None:
        increments = self._increments.pop(id(session), {})
        if not committed:
            return
        try:
            for planned in increments.values():
                await self.rollups.apply(planned)
        except PyMongoError as error:
            log.warning(
                "rollups not updated after a committed write (%s); rebuildRollups recounts",
                type(error).__name__,
            )


class AnalyticsSubjectHook:
    """Keeps rollups in step with rights requests (a `SubjectHook` of the privacy
    service): a restricted person's contributions leave the rollups and come back when
    the restriction is lifted. Erasure runs its hooks after the records are erased or
    anonymised, so it finds only what is still under the person's id."""

    name = "analytics_rollups"

    def __init__(self, rollups: RollupWriter) -> None:
        self.rollups = rollups

    async def _each(self, user_ids: list[str], excluded: bool) -> int:
        changed = 0
        for user_id in user_ids:
            if excluded:
                report = await self.rollups.exclude_person(user_id)
            else:
                report = await self.rollups.include_person(user_id)
            changed += report.displays + report.responses
        return changed

    async def erase(self, user_ids: list[str], emails: list[str]) -> int:
        return await self._each(user_ids, excluded=True)

    async def restrict(self, user_ids: list[str], emails: list[str]) -> int:
        return await self._each(user_ids, excluded=True)

    async def lift(self, user_ids: list[str], emails: list[str]) -> int:
        return await self._each(user_ids, excluded=False)
