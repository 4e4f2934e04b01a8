"""Query plans: the reads of one analytics query on one source (the rollups, or the
theme rollups) and how their rows add up to tallies per period, planned apart from
the reading so that several plans can be read in one snapshot. How a range in any
time zone is read from the three grains is told in `hub.services.analytics.queries`."""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from beanie import Document
from pymongo.asynchronous.client_session import AsyncClientSession

from hub.models.common import Metric
from hub.models.rollup import COUNTERS, Detail, sums_by
from hub.services.analytics.criteria import AnalyticsFilter
from hub.services.analytics.figures import Tally
from hub.services.analytics.grains import (
    DAY,
    DAYS,
    HOURS,
    SLOTS,
    Grain,
    Window,
    WindowIndex,
    clustered,
    floor_slot,
    hours_and_slots,
    nearest_midnight,
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
        day_detail: Detail | None = None,
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
        # Whole days may come from a coarser level than the hours at the ends
        # (`AnalyticsFilter.day_detail`): the same counts, grouped the same way.
        day_base = {**base, "detail": day_detail.value} if day_detail is not None else base
        self.day_pipeline = _pipeline(
            source.indexed, day_base, day_query, sums_by(day_keys, source.counters)
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
                    sums_by(dict(keys, t=f"${grain.field}"), source.counters),
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
            ("survey_key",),
            {**source.changes, **dimensions},
            {"slot": slot_range} if slot_range else {},
            sums_by(dict(keys, t="$slot"), source.counters),
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
