"""Analytics: NPS, CSAT and CES figures, trends and breakdowns read from rollups.

How rollups answer any range in any time zone
---------------------------------------------
Every write adds its counters to three rollups (see `hub.models.rollup`): the UTC
day, the UTC hour and the UTC quarter-hour it happened in. A period [a, b) (a local
day, week or month in the requested IANA zone, or a summary's date range) is
computed as

    days in [m(a), m(b))  ±  what lies between a and m(a), and b and m(b)

where m(t) is the UTC midnight nearest to t, and what lies between a bound and its
midnight is read as whole hours plus, when the bound is not on the hour, the
quarter-hours (at most three) between the bound and the hour next to it. Because
every IANA zone is offset from UTC by whole quarter-hours, a local midnight is always
a quarter-hour boundary, so the sum is exact, daylight-saving changes included (a
local day of 23 or 25 hours is just a different pair of boundaries). A bound is at
most twelve hours from its midnight (one to five for Europe and the Americas), so a
query reads at most a day, twelve hours and three quarter-hours per period and
dimension value: its cost depends on the number of periods and dimension values,
never on the number of responses.

Bounds of a range are rounded down to the quarter-hour.

Which time a counter belongs to: a display and its decline count at the time the
survey was shown (so the decline rate compares like with like); a score and its
comment count at the time the score was given.
"""

from __future__ import annotations

import bisect
import contextlib
import logging
import math
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bson import ObjectId
from pymongo import UpdateOne
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import PyMongoError

from hub.clock import Clock
from hub.errors import ErrorCode, NotFound, ValidationFailed
from hub.models.activity import Display
from hub.models.common import Channel, Metric
from hub.models.event import LiveEvent
from hub.models.response import Response
from hub.models.rollup import (
    COUNTERS,
    DIMENSIONS,
    SCORE_KEYS,
    SURVEY_LEVEL,
    DailyRollup,
    Detail,
    HourlyRollup,
    SlotRollup,
)
from hub.models.survey import Survey
from hub.services.platform import validation
from hub.services.surveys.surveys import SurveyService
from hub.services.widget.events import EventBus, EventKind, ResponseEvent
from hub.services.widget.responses import ResponseListener

SLOT = timedelta(minutes=15)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
Z95 = 1.959963984540054
MAX_PERIODS = 1000
_WRITE_BATCH = 1000

log = logging.getLogger(__name__)


class Interval(StrEnum):
    DAY = "DAY"
    WEEK = "WEEK"
    MONTH = "MONTH"


class Dimension(StrEnum):
    PRODUCT = "product"
    COUNTRY = "country"
    CHANNEL = "channel"
    COMPANY = "company"
    SURVEY = "survey_key"


@dataclass(frozen=True)
class AnalyticsFilter:
    """Which rollups count. Built only from typed values (no operator can slip in)."""

    survey_keys: list[str] | None = None
    metric: Metric | None = None
    product: str | None = None
    country: str | None = None
    channel: Channel | None = None
    company: str | None = None
    date_from: datetime | None = None  # inclusive
    date_to: datetime | None = None  # exclusive

    def dimension_query(self) -> dict[str, Any]:
        query: dict[str, Any] = {}
        if self.survey_keys is not None:
            keys = [str(key) for key in self.survey_keys]
            # Equality for one survey: an index range scan on every server.
            query["survey_key"] = keys[0] if len(keys) == 1 else {"$in": keys}
        if self.metric is not None:
            query["metric"] = Metric(self.metric).value
        if self.product is not None:
            query["product"] = str(self.product)
        if self.country is not None:
            query["country"] = validation.country(self.country, "filter.country")
        if self.channel is not None:
            query["channel"] = Channel(self.channel).value
        if self.company is not None:
            query["company"] = str(self.company)
        return query

    def detail(self, by: Dimension | None = None) -> Detail:
        """The coarsest rollups that can answer: survey level unless a filter or the
        breakdown needs country, channel or company."""
        needs_full = self.country is not None or self.channel is not None
        needs_full = needs_full or self.company is not None
        needs_full = needs_full or by in (Dimension.COUNTRY, Dimension.CHANNEL, Dimension.COMPANY)
        return Detail.FULL if needs_full else Detail.SURVEY

    def accepts(self, event: ResponseEvent) -> bool:
        """Whether a live event falls under this filter (date bounds aside)."""
        return (
            (self.survey_keys is None or event.survey_key in self.survey_keys)
            and (self.metric is None or event.metric == self.metric)
            and (self.product is None or event.product == self.product)
            and (self.country is None or event.country == self.country.upper())
            and (self.channel is None or event.channel == self.channel)
            and (self.company is None or event.company == self.company)
        )


@dataclass
class Tally:
    """Counters summed over some rollups."""

    displays: int = 0
    declines: int = 0
    responses: int = 0
    comments: int = 0
    score_sum: int = 0
    scores: list[int] = field(default_factory=lambda: [0] * 11)

    def add(self, other: Tally, sign: int = 1) -> None:
        self.displays += sign * other.displays
        self.declines += sign * other.declines
        self.responses += sign * other.responses
        self.comments += sign * other.comments
        self.score_sum += sign * other.score_sum
        for value in range(11):
            self.scores[value] += sign * other.scores[value]

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Tally:
        return cls(
            displays=int(row.get("displays") or 0),
            declines=int(row.get("declines") or 0),
            responses=int(row.get("responses") or 0),
            comments=int(row.get("comments") or 0),
            score_sum=int(row.get("score_sum") or 0),
            scores=[int(row.get(key) or 0) for key in SCORE_KEYS],
        )

    def count(self, low: int, high: int) -> int:
        return sum(self.scores[low : high + 1])


def _percent(part: int, whole: int) -> float | None:
    return None if whole == 0 else 100.0 * part / whole


@dataclass(frozen=True)
class NpsFigures:
    n: int
    promoters: int
    passives: int
    detractors: int
    promoters_pct: float | None
    passives_pct: float | None
    detractors_pct: float | None
    score: float | None
    interval_low: float | None
    interval_high: float | None

    @classmethod
    def of(cls, tally: Tally) -> NpsFigures:
        """% promoters (9-10) - % detractors (0-6), with a 95% adjusted Wald interval:
        3 added to n and 3/4 to the promoter and detractor counts."""
        n = tally.responses
        promoters, detractors = tally.count(9, 10), tally.count(0, 6)
        passives = n - promoters - detractors
        score = low = high = None
        if n > 0:
            score = 100.0 * (promoters - detractors) / n
            adjusted_n = n + 3
            p = (promoters + 0.75) / adjusted_n
            d = (detractors + 0.75) / adjusted_n
            centre = p - d
            margin = Z95 * math.sqrt((p + d - centre**2) / adjusted_n)
            low = max(-100.0, 100.0 * (centre - margin))
            high = min(100.0, 100.0 * (centre + margin))
        return cls(
            n=n,
            promoters=promoters,
            passives=passives,
            detractors=detractors,
            promoters_pct=_percent(promoters, n),
            passives_pct=_percent(passives, n),
            detractors_pct=_percent(detractors, n),
            score=score,
            interval_low=low,
            interval_high=high,
        )


@dataclass(frozen=True)
class CsatFigures:
    n: int
    satisfied: int
    satisfied_pct: float | None
    mean: float | None

    @classmethod
    def of(cls, tally: Tally) -> CsatFigures:
        """% of 4-5 answers on the 1-5 scale, and the mean."""
        n = tally.responses
        satisfied = tally.count(4, 5)
        return cls(
            n=n,
            satisfied=satisfied,
            satisfied_pct=_percent(satisfied, n),
            mean=tally.score_sum / n if n else None,
        )


@dataclass(frozen=True)
class CesFigures:
    n: int
    mean: float | None
    easy: int
    easy_pct: float | None

    @classmethod
    def of(cls, tally: Tally) -> CesFigures:
        """The mean on the 1-7 scale and the % of 5-7 answers."""
        n = tally.responses
        easy = tally.count(5, 7)
        return cls(
            n=n, mean=tally.score_sum / n if n else None, easy=easy, easy_pct=_percent(easy, n)
        )


@dataclass(frozen=True)
class Summary:
    displays: int
    responses: int
    comments: int
    declines: int
    response_rate: float | None  # % of displays answered
    comment_rate: float | None  # % of responses with a comment
    decline_rate: float | None  # % of displays declined
    nps: NpsFigures | None
    csat: CsatFigures | None
    ces: CesFigures | None

    @classmethod
    def of(cls, by_metric: dict[Metric, Tally], metrics: Iterable[Metric]) -> Summary:
        """Figures of the metrics in `metrics` (present even with no data, so every
        period of a trend has the same shape)."""
        total = Tally()
        for tally in by_metric.values():
            total.add(tally)
        shown = set(metrics)

        def of_metric(metric: Metric) -> Tally:
            return by_metric.get(metric) or Tally()

        return cls(
            displays=total.displays,
            responses=total.responses,
            comments=total.comments,
            declines=total.declines,
            response_rate=_percent(total.responses, total.displays),
            comment_rate=_percent(total.comments, total.responses),
            decline_rate=_percent(total.declines, total.displays),
            nps=NpsFigures.of(of_metric(Metric.NPS)) if Metric.NPS in shown else None,
            csat=CsatFigures.of(of_metric(Metric.CSAT)) if Metric.CSAT in shown else None,
            ces=CesFigures.of(of_metric(Metric.CES)) if Metric.CES in shown else None,
        )


@dataclass(frozen=True)
class TrendPoint:
    start: datetime  # local time in the requested zone
    end: datetime
    summary: Summary


@dataclass(frozen=True)
class BreakdownGroup:
    key: str | None  # None: no value recorded (e.g. no country), or the "other" bucket
    other: bool
    groups: int  # how many groups it stands for (1, or those folded into "other")
    summary: Summary


@dataclass(frozen=True)
class ScoreCount:
    metric: Metric
    score: int
    count: int


@dataclass(frozen=True)
class RebuildReport:
    displays: int
    responses: int
    daily_rollups: int
    hourly_rollups: int
    slot_rollups: int


@dataclass(frozen=True)
class ExclusionReport:
    displays: int
    responses: int


# --- time arithmetic -----------------------------------------------------------


def _floor_slot(at: datetime) -> datetime:
    at = at.astimezone(UTC)
    return at.replace(minute=at.minute - at.minute % 15, second=0, microsecond=0)


def _floor_hour(at: datetime) -> datetime:
    return at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def _floor_day(at: datetime) -> datetime:
    return at.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


@dataclass(frozen=True)
class Grain:
    """One time grain of the rollups: its collection, time field and bucket."""

    model: type[DailyRollup] | type[HourlyRollup] | type[SlotRollup]
    field: str
    floor: Callable[[datetime], datetime]


DAYS = Grain(DailyRollup, "day", _floor_day)
HOURS = Grain(HourlyRollup, "hour", _floor_hour)
SLOTS = Grain(SlotRollup, "slot", _floor_slot)
GRAINS = (DAYS, HOURS, SLOTS)


def _nearest_midnight(at: datetime) -> datetime:
    floor = _floor_day(at)
    return floor if at - floor < DAY / 2 else floor + DAY


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationFailed(
            ErrorCode.INVALID_INPUT, "Not an IANA time zone name.", "timezone"
        ) from None


def _local_start(day: date, tz: ZoneInfo) -> datetime:
    """The instant a local calendar day starts (after a gap, the gap's end)."""
    naive = datetime(day.year, day.month, day.day)
    instant = naive.replace(tzinfo=tz).astimezone(UTC)
    return instant


def _period_starts(start: datetime, end: datetime, interval: Interval, tz: ZoneInfo) -> list[date]:
    """Local calendar dates on which the periods overlapping [start, end) begin."""
    first = start.astimezone(tz).date()
    if interval is Interval.WEEK:
        first -= timedelta(days=first.weekday())
    elif interval is Interval.MONTH:
        first = first.replace(day=1)
    last = (end - timedelta(microseconds=1)).astimezone(tz).date()
    days: list[date] = []
    current = first
    while current <= last:
        days.append(current)
        if len(days) > MAX_PERIODS:
            raise ValidationFailed(
                ErrorCode.INVALID_INPUT,
                f"A trend has at most {MAX_PERIODS} periods; narrow the range.",
                "filter",
            )
        if interval is Interval.DAY:
            current += timedelta(days=1)
        elif interval is Interval.WEEK:
            current += timedelta(days=7)
        else:
            current = (current.replace(day=28) + timedelta(days=4)).replace(day=1)
    return days


# --- the service -----------------------------------------------------------------


def _group_stage(keys: dict[str, str]) -> dict[str, Any]:
    stage: dict[str, Any] = {"_id": keys}
    for counter in COUNTERS:
        stage[counter] = {"$sum": f"${counter}"}
    for key in SCORE_KEYS:
        stage[key] = {"$sum": f"$scores.{key}"}
    return stage


def _levels(dimensions: dict[str, Any]) -> list[dict[str, Any]]:
    """The keys of one write's rollups at each level of detail."""
    survey = {name: (dimensions[name] if name in SURVEY_LEVEL else None) for name in dimensions}
    return [{**dimensions, "detail": Detail.FULL.value}, {**survey, "detail": Detail.SURVEY.value}]


def _display_dimensions(display: Display, metric: Metric) -> dict[str, Any]:
    return {
        "survey_key": display.survey_key,
        "metric": metric.value,
        "product": display.context.product or "",
        "country": display.context.country,
        "channel": display.channel.value,
        "company": display.context.company,
    }


def _pipeline(
    dimensions: dict[str, Any], time: dict[str, Any], group: dict[str, Any]
) -> list[dict[str, Any]]:
    """Match on level, survey and time first (what the indexes hold), then on the other
    dimensions: MongoDB merges the two stages, and a server whose planner only uses an
    index that holds every matched field still reads by index."""
    indexed = {k: v for k, v in dimensions.items() if k in ("detail", "survey_key")}
    rest = {k: v for k, v in dimensions.items() if k not in indexed}
    stages: list[dict[str, Any]] = [{"$match": {**indexed, **time}}]
    if rest:
        stages.append({"$match": rest})
    stages.append({"$group": group})
    return stages


Window = tuple[datetime, datetime, int | None, int | None]


def _merged(windows: list[Window]) -> list[tuple[datetime, datetime, list[Window]]]:
    """Overlapping or touching windows as single ranges, each with its windows."""
    merged: list[tuple[datetime, datetime, list[Window]]] = []
    for window in sorted(windows, key=lambda window: window[0]):
        start, end = window[0], window[1]
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]), [*merged[-1][2], window])
        else:
            merged.append((start, end, [window]))
    return merged


def _pieces(start: datetime, end: datetime) -> list[tuple[Grain, datetime, datetime]]:
    """[start, end) (on quarter-hours) as whole hours and the quarter-hours around them."""
    first_hour = _floor_hour(start + HOUR - SLOT)
    last_hour = _floor_hour(end)
    if first_hour >= last_hour:
        return [(SLOTS, start, end)]
    pieces = [(HOURS, first_hour, last_hour)]
    if start < first_hour:
        pieces.append((SLOTS, start, first_hour))
    if last_hour < end:
        pieces.append((SLOTS, last_hour, end))
    return pieces


def _response_dimensions(response: Response) -> dict[str, Any]:
    return {
        "survey_key": response.survey_key,
        "metric": response.metric.value,
        "product": response.product,
        "country": response.customer.country,
        "channel": response.channel.value,
        "company": response.customer.company,
    }


def _response_counters(response: Response, comment: bool) -> dict[str, int]:
    counters = {"responses": 1, "score_sum": response.score, f"scores.s{response.score}": 1}
    if comment:
        counters["comments"] = 1
    return counters


# What one write adds to the rollups: dimensions, when, and the counters.
Increment = tuple[dict[str, Any], datetime, dict[str, int]]


class AnalyticsService:
    """Keeps rollups and answers metric queries from them."""

    def __init__(self, clock: Clock, events: EventBus, surveys: SurveyService) -> None:
        self.clock = clock
        self.events = events
        self.surveys = surveys

    # --- keeping rollups ----------------------------------------------------------

    async def add(
        self,
        dimensions: dict[str, Any],
        at: datetime,
        counters: dict[str, int],
        session: AsyncClientSession | None,
        sign: int = 1,
    ) -> None:
        """Add (or with sign -1, take away) counters at time `at`, in its day, hour
        and quarter-hour."""
        increment = {name: sign * value for name, value in counters.items()}
        for grain in GRAINS:
            # Both levels in one round trip (and one commit) per grain.
            time = grain.floor(at)
            await grain.model.get_pymongo_collection().bulk_write(
                [
                    UpdateOne({**level, grain.field: time}, {"$inc": increment}, upsert=True)
                    for level in _levels(dimensions)
                ],
                ordered=False,
                session=session,
            )

    async def _metric_of(self, survey_key: str) -> Metric:
        """A survey's metric, which never changes: read through the survey cache, as
        every display and decline needs it."""
        survey = await self.surveys.find(survey_key)
        if survey is None:  # a display always names an existing survey
            raise LookupError("display of an unknown survey")
        return survey.metric

    async def apply(
        self, increments: list[Increment], session: AsyncClientSession | None = None
    ) -> None:
        for dimensions, at, counters in increments:
            await self.add(dimensions, at, counters, session)

    async def display_increments(
        self, display: Display, session: AsyncClientSession | None
    ) -> list[Increment]:
        metric = await self._metric_of(display.survey_key)
        return [(_display_dimensions(display, metric), display.shown_at, {"displays": 1})]

    async def decline_increments(
        self, display: Display, session: AsyncClientSession | None
    ) -> tuple[Metric, list[Increment]]:
        metric = await self._metric_of(display.survey_key)
        if display.analytics_excluded:
            return metric, []
        return metric, [(_display_dimensions(display, metric), display.shown_at, {"declines": 1})]

    @staticmethod
    def score_increments(response: Response) -> list[Increment]:
        if response.analytics_excluded:
            return []
        counters = _response_counters(response, comment=False)
        return [(_response_dimensions(response), response.answered_at, counters)]

    @staticmethod
    def comment_increments(response: Response) -> list[Increment]:
        if response.analytics_excluded:
            return []
        return [(_response_dimensions(response), response.answered_at, {"comments": 1})]

    async def display_recorded(self, display: Display, session: AsyncClientSession) -> None:
        await self.apply(await self.display_increments(display, session), session)

    async def survey_declined(self, display: Display, session: AsyncClientSession) -> Metric:
        metric, increments = await self.decline_increments(display, session)
        await self.apply(increments, session)
        return metric

    async def score_submitted(self, response: Response, session: AsyncClientSession) -> None:
        await self.apply(self.score_increments(response), session)

    async def comment_submitted(self, response: Response, session: AsyncClientSession) -> None:
        await self.apply(self.comment_increments(response), session)

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
        client = Response.get_pymongo_collection().database.client
        metrics = {survey.key: survey.metric for survey in await Survey.find_all().to_list()}

        async def work(session: AsyncClientSession) -> ExclusionReport:
            query = {"user.id": user_id, "analytics_excluded": {"$ne": excluded}}
            displays = await Display.find(query, session=session).to_list()
            responses = await Response.find(query, session=session).to_list()
            for display in displays:
                counters = {"displays": 1, **({"declines": 1} if display.declined_at else {})}
                await self.add(
                    _display_dimensions(display, metrics[display.survey_key]),
                    display.shown_at,
                    counters,
                    session,
                    sign,
                )
            for response in responses:
                await self.add(
                    _response_dimensions(response),
                    response.answered_at,
                    _response_counters(response, comment=response.comment is not None),
                    session,
                    sign,
                )
            for model in (Display, Response):
                await model.get_pymongo_collection().update_many(
                    query, {"$set": {"analytics_excluded": excluded}}, session=session
                )
            return ExclusionReport(displays=len(displays), responses=len(responses))

        async with client.start_session() as session:
            report: ExclusionReport = await session.with_transaction(work)
            return report

    async def rebuild(self, survey_key: str | None = None) -> RebuildReport:
        """Recompute rollups (of one survey, or all) from displays and responses.

        Streams the raw records with a cursor and keeps only one counter set per
        rollup in memory. Writes that land while it runs may be missed: run it when
        the survey is quiet. Rebuilding every survey swaps whole collections in (see
        `_replace`); one survey's rollups are replaced in place."""
        metrics = {survey.key: survey.metric for survey in await Survey.find_all().to_list()}
        if survey_key is not None and survey_key not in metrics:
            raise NotFound("Survey", "surveyKey")
        scope: dict[str, Any] = {} if survey_key is None else {"survey_key": str(survey_key)}
        raw: dict[str, Any] = {**scope, "analytics_excluded": {"$ne": True}}
        tables: dict[Grain, dict[tuple[Any, ...], dict[str, int]]] = {
            grain: defaultdict(lambda: defaultdict(int)) for grain in GRAINS
        }

        def count(dimensions: dict[str, Any], at: datetime, counters: dict[str, int]) -> None:
            times = [(tables[grain], grain.floor(at)) for grain in GRAINS]
            for level in _levels(dimensions):
                key = tuple(level[name] for name in DIMENSIONS)
                for table, time in times:
                    cell = table[(*key, time)]
                    for name, value in counters.items():
                        cell[name] += value

        display_count = response_count = 0
        displays = Display.get_pymongo_collection().find(
            raw, {"survey_key": 1, "context": 1, "channel": 1, "shown_at": 1, "declined_at": 1}
        )
        async for row in displays:
            display_count += 1
            metric = metrics.get(row["survey_key"])
            if metric is None:
                continue
            context = row.get("context") or {}
            dimensions = {
                "survey_key": row["survey_key"],
                "metric": metric.value,
                "product": context.get("product") or "",
                "country": context.get("country"),
                "channel": row["channel"],
                "company": context.get("company"),
            }
            counters = {"displays": 1, **({"declines": 1} if row.get("declined_at") else {})}
            count(dimensions, row["shown_at"], counters)
        responses = Response.get_pymongo_collection().find(
            raw,
            {
                "survey_key": 1,
                "metric": 1,
                "product": 1,
                "customer": 1,
                "channel": 1,
                "score": 1,
                "comment": 1,
                "answered_at": 1,
            },
        )
        async for row in responses:
            response_count += 1
            customer = row.get("customer") or {}
            dimensions = {
                "survey_key": row["survey_key"],
                "metric": row["metric"],
                "product": row["product"],
                "country": customer.get("country"),
                "channel": row["channel"],
                "company": customer.get("company"),
            }
            score = int(row["score"])
            counters = {"responses": 1, "score_sum": score, f"scores.s{score}": 1}
            if row.get("comment") is not None:
                counters["comments"] = 1
            count(dimensions, row["answered_at"], counters)
        for grain in GRAINS:
            if survey_key is None:
                await self._replace(grain, tables[grain])
            else:
                collection = grain.model.get_pymongo_collection()
                await collection.delete_many(scope)
                await self._write(collection, grain, tables[grain])
        return RebuildReport(
            displays=display_count,
            responses=response_count,
            daily_rollups=len(tables[DAYS]),
            hourly_rollups=len(tables[HOURS]),
            slot_rollups=len(tables[SLOTS]),
        )

    @classmethod
    async def _replace(cls, grain: Grain, table: dict[tuple[Any, ...], dict[str, int]]) -> None:
        """Write a grain's rollups into a new collection, then put it in place of the
        old one in one rename: dashboards read the old figures until then, never a
        half-written set, and the new collection starts without the old one's
        deleted entries."""
        live = grain.model.get_pymongo_collection()
        staging = live.database[f"{live.name}.rebuild-{ObjectId()}"]
        try:
            await staging.create_indexes(list(grain.model.Settings.indexes))
            await cls._write(staging, grain, table)
            await staging.rename(live.name, dropTarget=True)
        except BaseException:
            with contextlib.suppress(PyMongoError):
                await staging.drop()
            raise

    @staticmethod
    async def _write(
        collection: AsyncCollection[dict[str, Any]],
        grain: Grain,
        table: dict[tuple[Any, ...], dict[str, int]],
    ) -> None:
        batch: list[dict[str, Any]] = []
        for key, counters in table.items():
            document: dict[str, Any] = dict(zip(DIMENSIONS, key[:-1], strict=True))
            document[grain.field] = key[-1]
            scores: dict[str, int] = {}
            for name, value in counters.items():
                if name.startswith("scores."):
                    scores[name.removeprefix("scores.")] = value
                else:
                    document[name] = value
            if scores:
                document["scores"] = scores
            batch.append(document)
            if len(batch) >= _WRITE_BATCH:
                await collection.insert_many(batch, ordered=False)
                batch = []
        if batch:
            await collection.insert_many(batch, ordered=False)

    # --- reading rollups ------------------------------------------------------------

    async def _metrics_in_scope(self, criteria: AnalyticsFilter) -> list[Metric]:
        if criteria.metric is not None:
            return [Metric(criteria.metric)]
        query: dict[str, Any] = {}
        if criteria.survey_keys is not None:
            query["key"] = {"$in": [str(key) for key in criteria.survey_keys]}
        found = {survey.metric for survey in await Survey.find(query).to_list()}
        return [metric for metric in Metric if metric in found]

    async def _tallies(
        self, criteria: AnalyticsFilter, bounds: list[datetime | None], by: Dimension | None
    ) -> list[dict[tuple[Metric, Any], Tally]]:
        """Tallies per (metric, group) for each period [bounds[i], bounds[i+1])."""
        periods = len(bounds) - 1
        snapped = [None if bound is None else _floor_slot(bound) for bound in bounds]
        midnights = [None if bound is None else _nearest_midnight(bound) for bound in snapped]
        results: list[dict[tuple[Metric, Any], Tally]] = [
            defaultdict(Tally) for _ in range(periods)
        ]
        base = {**criteria.dimension_query(), "detail": criteria.detail(by).value}
        keys: dict[str, str] = {"m": "$metric"}
        if by is not None:
            keys["g"] = f"${by.value}"

        # Whole UTC days between the midnights nearest to the bounds.
        day_range: dict[str, datetime] = {}
        if midnights[0] is not None:
            day_range["$gte"] = midnights[0]
        if midnights[-1] is not None:
            day_range["$lt"] = midnights[-1]
        day_query = {**({"day": day_range} if day_range else {})}
        day_keys = dict(keys, t="$day") if periods > 1 else keys
        inner = [m for m in midnights[1:-1] if m is not None]
        async for row in await DailyRollup.get_pymongo_collection().aggregate(
            _pipeline(base, day_query, _group_stage(day_keys))
        ):
            group = row["_id"]
            index = 0
            if periods > 1:
                index = bisect.bisect_right(inner, group["t"].astimezone(UTC))
            results[index][(Metric(group["m"]), group.get("g"))].add(Tally.from_row(row))

        # What lies between each bound and its midnight, added to the period it
        # belongs to and taken from the one the day sum gave it to.
        windows: list[Window] = []
        for i, (bound, midnight) in enumerate(zip(snapped, midnights, strict=True)):
            if bound is None or midnight is None or bound == midnight:
                continue
            before = i - 1 if i > 0 else None
            after = i if i < periods else None
            if bound < midnight:  # [bound, midnight) belongs after the bound
                windows.append((bound, midnight, after, before))
            else:  # [midnight, bound) belongs before the bound
                windows.append((midnight, bound, before, after))
        # Each window read as whole hours and the quarter-hours left at its ends; one
        # range query per grain and stretch of touching windows: an index range scan
        # each, where one `$or` of hundreds of ranges is costly on some servers.
        pieces: dict[Grain, list[Window]] = {HOURS: [], SLOTS: []}
        for start, end, to_add, to_take in windows:
            for grain, piece_start, piece_end in _pieces(start, end):
                pieces[grain].append((piece_start, piece_end, to_add, to_take))
        for grain, grain_windows in pieces.items():
            for start, end, members in _merged(grain_windows):
                time_query = {grain.field: {"$gte": start, "$lt": end}}
                async for row in await grain.model.get_pymongo_collection().aggregate(
                    _pipeline(base, time_query, _group_stage(dict(keys, t=f"${grain.field}"))),
                ):
                    group = row["_id"]
                    at = group["t"].astimezone(UTC)
                    tally = Tally.from_row(row)
                    key = (Metric(group["m"]), group.get("g"))
                    for window_start, window_end, to_add, to_take in members:
                        if window_start <= at < window_end:
                            if to_add is not None:
                                results[to_add][key].add(tally)
                            if to_take is not None:
                                results[to_take][key].add(tally, -1)
        return results

    async def summary(self, criteria: AnalyticsFilter) -> Summary:
        metrics = await self._metrics_in_scope(criteria)
        (tallies,) = await self._tallies(criteria, [criteria.date_from, criteria.date_to], None)
        return Summary.of({metric: tally for (metric, _), tally in tallies.items()}, metrics)

    async def trend(
        self, criteria: AnalyticsFilter, interval: Interval, timezone: str
    ) -> list[TrendPoint]:
        """The summary per local day, week (from Monday) or month in `timezone`;
        periods without data come with zero counts. Needs both ends of the range."""
        tz = zone(timezone)
        if criteria.date_from is None or criteria.date_to is None:
            raise ValidationFailed(
                ErrorCode.INVALID_INPUT, "A trend needs dateFrom and dateTo.", "filter"
            )
        start, end = _floor_slot(criteria.date_from), _floor_slot(criteria.date_to)
        if end <= start:
            raise ValidationFailed(
                ErrorCode.INVALID_INPUT, "dateTo must be after dateFrom.", "filter.dateTo"
            )
        local_days = _period_starts(start, end, interval, tz)
        period_starts = [_local_start(day, tz) for day in local_days]
        last_end = _local_start(_advance(local_days[-1], interval), tz)
        bounds: list[datetime | None] = [max(start, period_starts[0])]
        bounds += period_starts[1:]
        bounds.append(min(end, last_end))
        metrics = await self._metrics_in_scope(criteria)
        tallies = await self._tallies(criteria, bounds, None)
        edges = [*period_starts, last_end]
        return [
            TrendPoint(
                start=edges[i].astimezone(tz),
                end=edges[i + 1].astimezone(tz),
                summary=Summary.of({m: t for (m, _), t in tallies[i].items()}, metrics),
            )
            for i in range(len(period_starts))
        ]

    async def breakdown(
        self, criteria: AnalyticsFilter, by: Dimension, top: int
    ) -> list[BreakdownGroup]:
        """The summary per value of `by`, largest n first; beyond `top` groups the
        rest are folded into one "other" group."""
        if not 1 <= top <= 100:
            raise ValidationFailed(ErrorCode.INVALID_INPUT, "top must be from 1 to 100.", "top")
        metrics = await self._metrics_in_scope(criteria)
        (tallies,) = await self._tallies(criteria, [criteria.date_from, criteria.date_to], by)
        grouped: dict[Any, dict[Metric, Tally]] = defaultdict(dict)
        for (metric, group), tally in tallies.items():
            grouped[group][metric] = tally
        ranked = sorted(
            grouped.items(),
            key=lambda item: (
                -sum(t.responses for t in item[1].values()),
                -sum(t.displays for t in item[1].values()),
                "" if item[0] is None else str(item[0]),
            ),
        )
        groups = [
            BreakdownGroup(key=key, other=False, groups=1, summary=Summary.of(by_metric, metrics))
            for key, by_metric in ranked[:top]
        ]
        rest = ranked[top:]
        if rest:
            merged: dict[Metric, Tally] = defaultdict(Tally)
            for _, by_metric in rest:
                for metric, tally in by_metric.items():
                    merged[metric].add(tally)
            groups.append(
                BreakdownGroup(
                    key=None, other=True, groups=len(rest), summary=Summary.of(merged, metrics)
                )
            )
        return groups

    async def score_distribution(self, criteria: AnalyticsFilter) -> list[ScoreCount]:
        """Responses per score value, every value of each metric's scale listed."""
        metrics = await self._metrics_in_scope(criteria)
        (tallies,) = await self._tallies(criteria, [criteria.date_from, criteria.date_to], None)
        by_metric = {metric: tally for (metric, _), tally in tallies.items()}
        counts: list[ScoreCount] = []
        for metric in metrics:
            low, high = metric.scale
            tally = by_metric.get(metric) or Tally()
            counts.extend(
                ScoreCount(metric=metric, score=value, count=tally.scores[value])
                for value in range(low, high + 1)
            )
        return counts

    async def event_of(self, live: LiveEvent) -> ResponseEvent | None:
        """The event a live event announces, with its record as it is now (None when
        the record is gone, say erased since, or its person was taken out of
        processing: restricted, objected)."""
        if live.kind is EventKind.DECLINE:
            display = await Display.get(live.record_id)
            if display is None or display.analytics_excluded:
                return None
            return ResponseEvent(
                kind=EventKind.DECLINE,
                at=display.declined_at or display.shown_at,
                survey_key=display.survey_key,
                metric=await self._metric_of(display.survey_key),
                product=display.context.product or "",
                country=display.context.country,
                channel=display.channel,
                company=display.context.company,
                display=display,
            )
        response = await Response.get(live.record_id)
        if response is None or response.analytics_excluded:
            return None
        if live.kind is EventKind.SCORE:  # as it was scored: its comment is an event of its own
            response = response.model_copy(update={"comment": None, "commented_at": None})
        return _response_event(live.kind, response)

    async def listen(self, criteria: AnalyticsFilter) -> AsyncIterator[ResponseEvent]:
        """Live events under `criteria`, from now on."""
        async for event in self.events.listen():
            if criteria.accepts(event):
                yield event


def _advance(day: date, interval: Interval) -> date:
    if interval is Interval.DAY:
        return day + timedelta(days=1)
    if interval is Interval.WEEK:
        return day + timedelta(days=7)
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


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

    def __init__(self, analytics: AnalyticsService) -> None:
        self.analytics = analytics
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
        increments = await self.analytics.display_increments(display, session)
        self._count(session, "display", str(display.id), increments)

    async def score_submitted(self, response: Response, session: AsyncClientSession) -> None:
        self._count(session, "score", str(response.id), self.analytics.score_increments(response))
        if not response.analytics_excluded:
            await self._announce(session, EventKind.SCORE, response.id, response.answered_at)

    async def comment_submitted(self, response: Response, session: AsyncClientSession) -> None:
        increments = self.analytics.comment_increments(response)
        self._count(session, "comment", str(response.id), increments)
        at = response.commented_at or response.answered_at
        if not response.analytics_excluded:
            await self._announce(session, EventKind.COMMENT, response.id, at)

    async def survey_declined(self, display: Display, session: AsyncClientSession) -> None:
        _, increments = await self.analytics.decline_increments(display, session)
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
                await self.analytics.apply(planned)
        except PyMongoError as error:
            log.warning(
                "rollups not updated after a committed write (%s); rebuildRollups recounts",
                type(error).__name__,
            )


def _response_event(kind: EventKind, response: Response) -> ResponseEvent:
    return ResponseEvent(
        kind=kind,
        at=response.commented_at
        if kind is EventKind.COMMENT and response.commented_at
        else response.answered_at,
        survey_key=response.survey_key,
        metric=response.metric,
        product=response.product,
        country=response.customer.country,
        channel=response.channel,
        company=response.customer.company,
        response=response,
    )


class AnalyticsSubjectHook:
    """Keeps rollups in step with rights requests (a `SubjectHook` of the privacy
    service): a restricted person's contributions leave the rollups and come back when
    the restriction is lifted. Erasure runs its hooks after the records are erased or
    anonymised, so it finds only what is still under the person's id."""

    name = "analytics_rollups"

    def __init__(self, analytics: AnalyticsService) -> None:
        self.analytics = analytics

    async def _each(self, user_ids: list[str], excluded: bool) -> int:
        changed = 0
        for user_id in user_ids:
            if excluded:
                report = await self.analytics.exclude_person(user_id)
            else:
                report = await self.analytics.include_person(user_id)
            changed += report.displays + report.responses
        return changed

    async def erase(self, user_ids: list[str], emails: list[str]) -> int:
        return await self._each(user_ids, excluded=True)

    async def restrict(self, user_ids: list[str], emails: list[str]) -> int:
        return await self._each(user_ids, excluded=True)

    async def lift(self, user_ids: list[str], emails: list[str]) -> int:
        return await self._each(user_ids, excluded=False)
