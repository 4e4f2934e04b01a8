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
`plans.RANGES_PER_GRAIN` range queries per grain, so the round trips do not depend on the
number of periods either.

The changes not folded yet are added per quarter-hour, and all of it is read in one
snapshot: a figure counts every write once, folded or not, even while a batch commits.

Bounds of a range are rounded down to the quarter-hour.

Which time a counter belongs to: a display and its decline count at the time the
survey was shown (so the decline rate compares like with like); a score and its
comment count at the time the score was given.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from hub.errors import ErrorCode, ValidationFailed
from hub.models.common import Metric
from hub.models.survey import Survey
from hub.services.analytics.criteria import AnalyticsFilter, Dimension, Interval
from hub.services.analytics.figures import Summary, Tally
from hub.services.analytics.grains import (
    advance,
    floor_slot,
    local_start,
    period_starts,
    zone,
)
from hub.services.analytics.plans import ROLLUPS, Plan, Tallies
from hub.services.analytics.stores import rollups


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


async def metrics_in_scope(criteria: AnalyticsFilter) -> list[Metric]:
    if criteria.metric is not None:
        return [Metric(criteria.metric)]
    query: dict[str, Any] = {}
    if criteria.survey_keys is not None:
        query["key"] = {"$in": [str(key) for key in criteria.survey_keys]}
    found = {survey.metric for survey in await Survey.find(query).to_list()}
    return [metric for metric in Metric if metric in found]


async def _tallies(
    criteria: AnalyticsFilter, bounds: list[datetime | None], by: Dimension | None
) -> Tallies:
    """Tallies per (metric, group) for each period [bounds[i], bounds[i+1])."""
    plan = Plan(
        ROLLUPS,
        criteria,
        bounds,
        None if by is None else by.value,
        criteria.detail(by),
        day_detail=criteria.day_detail(by),
    )
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
