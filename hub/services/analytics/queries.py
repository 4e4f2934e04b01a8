"""Queries: summaries, trends, breakdowns and score distributions read from rollups.

How rollups answer any range in any time zone
---------------------------------------------
Every write's counters end up in three rollups (see `hub.models.rollup`): the UTC
day, the UTC hour and the UTC quarter-hour it happened in, once the folder has folded
its change (`hub.services.analytics.folder`). A period [a, b) (a local
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
never on the number of responses. The hours and quarter-hours are read in at most
`RANGES_PER_GRAIN` range queries per grain, so the round trips do not depend on the
number of periods either.

The changes not folded yet are added per quarter-hour, and all of it is read in one
snapshot: a figure counts every write once, folded or not, even while a batch commits.

Bounds of a range are rounded down to the quarter-hour.

Which time a counter belongs to: a display and its decline count at the time the
survey was shown (so the decline rate compares like with like); a score and its
comment count at the time the score was given.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from beanie import Document
from pymongo.asynchronous.client_session import AsyncClientSession

from hub.errors import ErrorCode, ValidationFailed
from hub.models.common import Metric
from hub.models.rollup import COUNTERS, SCORE_KEYS, Detail
from hub.models.survey import Survey
from hub.services.analytics.criteria import AnalyticsFilter, Dimension, Interval
from hub.services.analytics.figures import Summary, Tally
from hub.services.analytics.grains import (
    DAY,
    DAYS,
    HOURS,
    SLOTS,
    Grain,
    Window,
    WindowIndex,
    advance,
    clustered,
    floor_slot,
    hours_and_slots,
    local_start,
    nearest_midnight,
    period_starts,
    zone,
)
from hub.services.analytics.stores import rollup_changes, rollups
from hub.services.platform.store import Raw

# Range queries per rollup grain that a query makes at most, whatever its periods,
# and how close two stretches must be to be read in one range.
RANGES_PER_GRAIN = 16
CLOSE = DAY

# What one query reads in its snapshot: the days, each range of hours or
# quarter-hours with its windows, and the changes not folded yet.
Reads = tuple[list[Raw], list[tuple[WindowIndex, list[Raw]]], list[Raw]]


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
class Source:
    """Where a query's counters are read: a grain's rollups (`model_of`), the
    counters summed, which of the changes not folded yet count there, the fields the
    indexes start with, and how a summed row becomes a `Tally`."""

    model_of: Callable[[Grain], type[Document]]
    counters: tuple[str, ...]
    changes: dict[str, Any]
    indexed: tuple[str, ...]
    tally: Callable[[Raw], Tally]


ROLLUPS = Source(
    model_of=lambda grain: grain.model,
    counters=COUNTERS,
    changes={"theme": None},  # a theme mention counts in the theme rollups only
    indexed=("detail", "survey_key"),
    tally=Tally.from_row,
)


def _group_stage(source: Source, keys: dict[str, str]) -> dict[str, Any]:
    stage: dict[str, Any] = {"_id": keys}
    for counter in source.counters:
        stage[counter] = {"$sum": f"${counter}"}
    for key in SCORE_KEYS:
        stage[key] = {"$sum": f"$scores.{key}"}
    return stage


def _pipeline(
    indexed: tuple[str, ...],
    dimensions: dict[str, Any],
    time: dict[str, Any],
    group: dict[str, Any],
) -> list[dict[str, Any]]:
    """Match on level, survey and time first (what the indexes hold), then on the other
    dimensions: MongoDB merges the two stages, and a server whose planner only uses an
    index that holds every matched field still reads by index."""
    first = {k: v for k, v in dimensions.items() if k in indexed}
    rest = {k: v for k, v in dimensions.items() if k not in first}
    stages: list[dict[str, Any]] = [{"$match": {**first, **time}}]
    if rest:
        stages.append({"$match": rest})
    stages.append({"$group": group})
    return stages


async def metrics_in_scope(criteria: AnalyticsFilter) -> list[Metric]:
    if criteria.metric is not None:
        return [Metric(criteria.metric)]
    query: dict[str, Any] = {}
    if criteria.survey_keys is not None:
        query["key"] = {"$in": [str(key) for key in criteria.survey_keys]}
    found = {survey.metric for survey in await Survey.find(query).to_list()}
    return [metric for metric in Metric if metric in found]


# Tallies per (metric, group) for each period.
Tallies = list[dict[tuple[Metric, Any], Tally]]


class Plan:
    """The reads of one query on one source, and how their rows add up to tallies per
    (metric, group) for each period [bounds[i], bounds[i+1]): planned first, so that
    several plans can be read in one snapshot."""

    def __init__(
        self,
        source: Source,
        criteria: AnalyticsFilter,
        bounds: list[datetime | None],
        group: str | None = None,
        detail: Detail | None = None,
        match: dict[str, Any] | None = None,
    ) -> None:
        self.source = source
        self.periods = len(bounds) - 1
        self.snapped = [None if bound is None else floor_slot(bound) for bound in bounds]
        self.midnights = [
            None if bound is None else nearest_midnight(bound) for bound in self.snapped
        ]
        dimensions = {**criteria.dimension_query(), **(match or {})}
        base = {**dimensions, "detail": (detail or criteria.detail()).value}
        keys: dict[str, str] = {"m": "$metric"}
        if group is not None:
            keys["g"] = f"${group}"
        snapped, midnights, periods = self.snapped, self.midnights, self.periods

        # Whole UTC days between the midnights nearest to the bounds.
        day_range: dict[str, datetime] = {}
        if midnights[0] is not None:
            day_range["$gte"] = midnights[0]
        if midnights[-1] is not None:
            day_range["$lt"] = midnights[-1]
        day_query = {**({"day": day_range} if day_range else {})}
        day_keys = dict(keys, t="$day") if periods > 1 else keys
        self.day_pipeline = _pipeline(
            source.indexed, base, day_query, _group_stage(source, day_keys)
        )

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
        # Each window read as whole hours and the quarter-hours left at its ends, in at
        # most `RANGES_PER_GRAIN` range queries per grain (an index range scan each,
        # where one `$or` of hundreds of ranges, or an `$in` of thousands of times, is
        # costly on some servers), whatever the number of periods: windows less than a
        # day apart are read in one range (a daily trend's in one), the others alone up
        # to that number (a monthly trend's, a summary's).
        pieces: dict[Grain, list[Window]] = {HOURS: [], SLOTS: []}
        for start, end, to_add, to_take in windows:
            for grain, piece_start, piece_end in hours_and_slots(start, end):
                pieces[grain].append((piece_start, piece_end, to_add, to_take))
        self.ranges = [
            (
                grain,
                WindowIndex(members),
                _pipeline(
                    source.indexed,
                    base,
                    {grain.field: {"$gte": start, "$lt": end}},
                    _group_stage(source, dict(keys, t=f"${grain.field}")),
                ),
            )
            for grain, grain_windows in pieces.items()
            for start, end, members in clustered(grain_windows, CLOSE, RANGES_PER_GRAIN)
        ]

        # The changes not folded into the rollups yet, per quarter-hour.
        slot_range: dict[str, datetime] = {}
        if snapped[0] is not None:
            slot_range["$gte"] = snapped[0]
        if snapped[-1] is not None:
            slot_range["$lt"] = snapped[-1]
        self.tail_pipeline = _pipeline(
            (),
            {**source.changes, **dimensions},
            {"slot": slot_range} if slot_range else {},
            _group_stage(source, dict(keys, t="$slot")),
        )

    async def read(self, session: AsyncClientSession) -> Reads:
        """The plan's reads in `session`'s snapshot: a bounded number of round trips
        (the days, at most `RANGES_PER_GRAIN` per finer grain, the changes waiting)."""
        days = await rollups.tally(self.source.model_of(DAYS), self.day_pipeline, session)
        pieces_read = [
            (index, await rollups.tally(self.source.model_of(grain), pipeline, session))
            for grain, index, pipeline in self.ranges
        ]
        tail = await rollup_changes.tally(self.tail_pipeline, session)
        return days, pieces_read, tail

    def tallies(self, reads: Reads) -> Tallies:
        """What the reads add up to, per period."""
        days, pieces_read, tail = reads
        results: Tallies = [defaultdict(Tally) for _ in range(self.periods)]
        as_tally = self.source.tally
        inner = [m for m in self.midnights[1:-1] if m is not None]
        for row in days:
            group = row["_id"]
            index = 0
            if self.periods > 1:
                index = bisect.bisect_right(inner, group["t"].astimezone(UTC))
            results[index][(Metric(group["m"]), group.get("g"))].add(as_tally(row))
        for window_index, rows in pieces_read:
            for row in rows:
                group = row["_id"]
                tally = as_tally(row)
                key = (Metric(group["m"]), group.get("g"))
                for _, _, to_add, to_take in window_index.holding(group["t"].astimezone(UTC)):
                    if to_add is not None:
                        results[to_add][key].add(tally)
                    if to_take is not None:
                        results[to_take][key].add(tally, -1)
        inner_bounds = [bound for bound in self.snapped[1:-1] if bound is not None]
        for row in tail:
            group = row["_id"]
            index = bisect.bisect_right(inner_bounds, group["t"].astimezone(UTC))
            results[index][(Metric(group["m"]), group.get("g"))].add(as_tally(row))
        return results


async def _tallies(
    criteria: AnalyticsFilter, bounds: list[datetime | None], by: Dimension | None
) -> Tallies:
    """Tallies per (metric, group) for each period [bounds[i], bounds[i+1])."""
    plan = Plan(ROLLUPS, criteria, bounds, None if by is None else by.value, criteria.detail(by))
    # One snapshot: a batch the folder commits meanwhile is counted once.
    return plan.tallies(await rollups.in_snapshot(plan.read))


async def summary(criteria: AnalyticsFilter) -> Summary:
    metrics = await metrics_in_scope(criteria)
    (tallies,) = await _tallies(criteria, [criteria.date_from, criteria.date_to], None)
    return Summary.of({metric: tally for (metric, _), tally in tallies.items()}, metrics)


@dataclass(frozen=True)
class Periods:
    """A trend's local periods: their starts and the last one's end (UTC), the zone,
    and the bounds to read (the first and last cut to the range asked for)."""

    zone: ZoneInfo
    edges: list[datetime]
    bounds: list[datetime | None]

    def point_bounds(self, i: int) -> tuple[datetime, datetime]:
        """Period `i`'s start and end, local time in the zone."""
        return self.edges[i].astimezone(self.zone), self.edges[i + 1].astimezone(self.zone)


def periods(criteria: AnalyticsFilter, interval: Interval, timezone: str) -> Periods:
    """The periods of a trend per local day, week (from Monday) or month in
    `timezone`. Needs both ends of the range."""
    tz = zone(timezone)
    if criteria.date_from is None or criteria.date_to is None:
        raise ValidationFailed(
            ErrorCode.INVALID_INPUT, "A trend needs dateFrom and dateTo.", "filter"
        )
    start, end = floor_slot(criteria.date_from), floor_slot(criteria.date_to)
    if end <= start:
        raise ValidationFailed(
            ErrorCode.INVALID_INPUT, "dateTo must be after dateFrom.", "filter.dateTo"
        )
    local_days = period_starts(start, end, interval, tz)
    starts = [local_start(day, tz) for day in local_days]
    last_end = local_start(advance(local_days[-1], interval), tz)
    bounds: list[datetime | None] = [max(start, starts[0])]
    bounds += starts[1:]
    bounds.append(min(end, last_end))
    return Periods(zone=tz, edges=[*starts, last_end], bounds=bounds)


async def trend(criteria: AnalyticsFilter, interval: Interval, timezone: str) -> list[TrendPoint]:
    """The summary per local day, week (from Monday) or month in `timezone`;
    periods without data come with zero counts. Needs both ends of the range."""
    local = periods(criteria, interval, timezone)
    metrics = await metrics_in_scope(criteria)
    tallies = await _tallies(criteria, local.bounds, None)
    return [
        TrendPoint(
            *local.point_bounds(i),
            summary=Summary.of({m: t for (m, _), t in tallies[i].items()}, metrics),
        )
        for i in range(len(local.edges) - 1)
    ]


async def breakdown(criteria: AnalyticsFilter, by: Dimension, top: int) -> list[BreakdownGroup]:
    """The summary per value of `by`, largest n first; beyond `top` groups the
    rest are folded into one "other" group."""
    if not 1 <= top <= 100:
        raise ValidationFailed(ErrorCode.INVALID_INPUT, "top must be from 1 to 100.", "top")
    metrics = await metrics_in_scope(criteria)
    (tallies,) = await _tallies(criteria, [criteria.date_from, criteria.date_to], by)
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


async def score_distribution(criteria: AnalyticsFilter) -> list[ScoreCount]:
    """Responses per score value, every value of each metric's scale listed."""
    metrics = await metrics_in_scope(criteria)
    (tallies,) = await _tallies(criteria, [criteria.date_from, criteria.date_to], None)
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
