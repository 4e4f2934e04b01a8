"""Rollup changes: what one display or response adds to the rollups (the one
extraction of dimensions and counters, used by writes, exclusion, the folder and the
rebuild), what a response's theme mentions add to the theme rollups, the change each
widget write records in its transaction, and taking a person out of analytics."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bson import ObjectId
from pymongo.asynchronous.client_session import AsyncClientSession

from hub.batch import insert_later
from hub.db import in_transaction
from hub.models.activity import Display
from hub.models.common import Channel, Metric
from hub.models.event import LiveEvent
from hub.models.response import Response
from hub.models.rollup import (
    BREAKDOWN_LEVELS,
    COUNTERS,
    DIMENSIONS,
    SURVEY_LEVEL,
    Detail,
    RecordType,
)
from hub.models.survey import Survey
from hub.models.theme_rollup import THEME_COUNTERS
from hub.services.analytics.grains import DAYS, GRAINS, Grain, floor_slot
from hub.services.analytics.stores import rollup_changes
from hub.services.surveys.surveys import SurveyService
from hub.services.widget.events import EventKind
from hub.services.widget.responses import ResponseListener
from hub.services.widget.stores import displays as display_store
from hub.services.widget.stores import responses as response_store

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


def _survey_level(dimensions: dict[str, Any]) -> dict[str, Any]:
    return {name: (dimensions[name] if name in SURVEY_LEVEL else None) for name in dimensions}


def levels(dimensions: dict[str, Any]) -> list[dict[str, Any]]:
    """The keys of one write's rollups at the levels of detail every grain has: full
    and survey level."""
    survey = _survey_level(dimensions)
    return [{**dimensions, "detail": Detail.FULL.value}, {**survey, "detail": Detail.SURVEY.value}]


def breakdown_levels(dimensions: dict[str, Any]) -> list[dict[str, Any]]:
    """The keys of one write's daily rollups at the breakdown levels: survey level plus
    each breakdown dimension."""
    survey = _survey_level(dimensions)
    return [{**survey, name: dimensions[name], "detail": name} for name in BREAKDOWN_LEVELS]


# Counters per rollup document of one grain, keyed by its dimensions (in the order of
# `DIMENSIONS`) and then its time.
Table = dict[tuple[Any, ...], dict[str, int]]


def new_tables() -> dict[Grain, Table]:
    return {grain: defaultdict(lambda: defaultdict(int)) for grain in GRAINS}


def count(
    tables: dict[Grain, Table],
    dimensions: dict[str, Any],
    at: datetime,
    counters: Mapping[str, int],
    sign: int = 1,
    names: tuple[str, ...] = DIMENSIONS,
) -> None:
    """Add (or with sign -1, take away) counters at time `at` to the rollups of each
    level of detail, in its day, hour and quarter-hour; `names` are the rollups'
    dimensions (the theme rollups' with their theme)."""
    shared = levels(dimensions)
    # Breakdown levels for the daily rollups only: a breakdown reads whole days there
    # and the hours at its ends in full detail. Theme rollups have none.
    daily = shared + breakdown_levels(dimensions) if names == DIMENSIONS else shared
    for grain in GRAINS:
        table, time = tables[grain], grain.floor(at)
        for level in daily if grain is DAYS else shared:
            cell = table[(*(level[name] for name in names), time)]
            for name, value in counters.items():
                cell[name] += sign * value


def rollup_documents(
    grain: Grain, table: Table, names: tuple[str, ...] = DIMENSIONS
) -> list[tuple[dict[str, Any], dict[str, int]]]:
    """Each rollup document of a table as its key (dimensions, level and time) and
    counters (`scores.s9` style)."""
    return [
        ({**dict(zip(names, key[:-1], strict=True)), grain.field: key[-1]}, dict(counters))
        for key, counters in table.items()
    ]


def change_document(
    record_type: RecordType, record: ObjectId, increment: Increment, sign: int = 1
) -> dict[str, Any]:
    """The `rollup_changes` document of one record's increment (taken away with sign
    -1): its dimensions, time and counters, scores nested as in the rollups."""
    dimensions, at, counters = increment
    document: dict[str, Any] = {
        **dimensions,
        "record_type": record_type.value,
        "record": record,
        "at": at,
        "slot": floor_slot(at),
    }
    scores: dict[str, int] = {}
    for name, value in counters.items():
        if name.startswith("scores."):
            scores[name.removeprefix("scores.")] = sign * value
        else:
            document[name] = sign * value
    if scores:
        document["scores"] = scores
    return document


def counters_of(change: Mapping[str, Any]) -> dict[str, int]:
    """A change document's counters as `$inc` fields (`scores.s9`, …)."""
    names = (*COUNTERS, *THEME_COUNTERS)
    counters = {name: int(change[name]) for name in dict.fromkeys(names) if change.get(name)}
    for key, value in (change.get("scores") or {}).items():
        if value:
            counters[f"scores.{key}"] = int(value)
    return counters


def dimensions_of(change: Mapping[str, Any]) -> dict[str, Any]:
    """A change document's dimensions, as `levels` takes them (with its theme, for a
    theme mention)."""
    dimensions = {name: change.get(name) for name in DIMENSIONS if name != "detail"}
    if change.get("theme") is not None:
        dimensions["theme"] = change["theme"]
    return dimensions


def theme_increment(response: Mapping[str, Any]) -> Increment:
    """What one theme mention of a response adds to that theme's rollups, from the
    response's stored fields (`RESPONSE_FIELDS`): one mention and its score, at the
    time it was scored (like its comment)."""
    dimensions, at, _ = response_increment(response)
    score = int(response["score"])
    return dimensions, at, {"mentions": 1, "score_sum": score, f"scores.s{score}": 1}


def theme_changes(
    response: Mapping[str, Any], themes: Iterable[str], sign: int = 1
) -> list[dict[str, Any]]:
    """The `rollup_changes` documents of a response's mentions of `themes` (each
    counted once), taken away with sign -1; `response` is stored, with its `_id`."""
    increment = theme_increment(response)
    return [
        {**change_document(RecordType.RESPONSE, response["_id"], increment, sign), "theme": theme}
        for theme in sorted(set(themes))
    ]


# A record (its type and id) and what it adds to the rollups.
Change = tuple[RecordType, ObjectId, Increment]


async def record(changes: list[Change], session: AsyncClientSession, sign: int = 1) -> None:
    """Write what records add to the rollups (or take away, with sign -1) as changes in
    the transaction of `session`, for the folder to add to the rollups."""
    await rollup_changes.add(
        [
            change_document(kind, record_id, increment, sign)
            for kind, record_id, increment in changes
        ],
        session,
    )


def _of(kind: RecordType, record_id: ObjectId | None, increments: list[Increment]) -> list[Change]:
    assert record_id is not None  # a stored record
    return [(kind, record_id, increment) for increment in increments]


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
    theme_mentions: int = 0


class RollupWriter:
    """What each widget write adds to the rollups, and a person's contributions taken
    out (or put back)."""

    def __init__(self, surveys: SurveyService) -> None:
        self.surveys = surveys

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
            changes = [
                change
                for display in displays
                for change in _of(
                    RecordType.DISPLAY,
                    display.id,
                    [_of_display(display, metrics[display.survey_key])],
                )
            ]
            changes += [
                change
                for response in responses
                for change in _of(RecordType.RESPONSE, response.id, [_of_response(response)])
            ]
            # A record's whole part, whether or not its own changes were folded yet:
            # a response's theme mentions are the tags it holds now.
            documents = [
                change_document(kind, record_id, increment, sign)
                for kind, record_id, increment in changes
            ]
            mentions = [
                change
                for response in responses
                for change in theme_changes(
                    {**response.model_dump(include=set(RESPONSE_FIELDS)), "_id": response.id},
                    (tag.theme for tag in response.themes),
                    sign,
                )
            ]
            await rollup_changes.add([*documents, *mentions], session)
            await display_store.set_excluded(user_id, excluded, session)
            await response_store.set_excluded(user_id, excluded, session)
            return ExclusionReport(
                displays=len(displays), responses=len(responses), theme_mentions=len(mentions)
            )

        report: ExclusionReport = await in_transaction(client, work)
        return report


class AnalyticsListener(ResponseListener):
    """Records what each widget write adds to the rollups, and the live event of each
    score, comment and decline, inside the write's transaction.

    Both are new documents, which conflict with nothing: they commit or roll back with
    the record they count, and a retried transaction writes them once. The rollups
    themselves are hot documents (every answer of a survey on one day lands in the
    same few); the folder adds the changes to them in batches, off the request path
    (`hub.services.analytics.folder`), woken by `committed` once a write committed."""

    def __init__(self, rollups: RollupWriter, committed: Callable[[], None]) -> None:
        self.rollups = rollups
        self.committed = committed

    async def transaction_ended(self, session: AsyncClientSession, committed: bool) -> None:
        if committed:
            self.committed()  # wakes the folder: no database work on the request path

    async def _announce(
        self, session: AsyncClientSession, kind: EventKind, record_id: Any, at: datetime
    ) -> None:
        await insert_later(LiveEvent(kind=kind, record_id=record_id, at=at), session)

    async def display_recorded(self, display: Display, session: AsyncClientSession) -> None:
        increments = await self.rollups.display_increments(display)
        await record(_of(RecordType.DISPLAY, display.id, increments), session)

    async def score_submitted(self, response: Response, session: AsyncClientSession) -> None:
        increments = self.rollups.score_increments(response)
        await record(_of(RecordType.RESPONSE, response.id, increments), session)
        if not response.analytics_excluded:
            await self._announce(session, EventKind.SCORE, response.id, response.answered_at)

    async def comment_submitted(self, response: Response, session: AsyncClientSession) -> None:
        increments = self.rollups.comment_increments(response)
        await record(_of(RecordType.RESPONSE, response.id, increments), session)
        at = response.commented_at or response.answered_at
        if not response.analytics_excluded:
            await self._announce(session, EventKind.COMMENT, response.id, at)

    async def survey_declined(self, display: Display, session: AsyncClientSession) -> None:
        increments = await self.rollups.decline_increments(display)
        await record(_of(RecordType.DISPLAY, display.id, increments), session)
        at = display.declined_at or display.shown_at
        if not display.analytics_excluded:
            await self._announce(session, EventKind.DECLINE, display.id, at)


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
