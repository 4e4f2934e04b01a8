"""Time grains and buckets: the three rollup grains (UTC day, hour, quarter-hour),
local periods in an IANA zone, and how a stretch of time splits into whole hours and
quarter-hours (see `hub.services.analytics.queries` for how a range is answered)."""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hub.errors import ErrorCode, ValidationFailed
from hub.models.rollup import DailyRollup, HourlyRollup, SlotRollup
from hub.models.theme_rollup import ThemeDailyRollup, ThemeHourlyRollup, ThemeSlotRollup
from hub.services.analytics.criteria import Interval
from hub.services.platform import validation

SLOT = timedelta(minutes=15)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
MAX_PERIODS = 1000


def floor_slot(at: datetime) -> datetime:
    at = at.astimezone(UTC)
    return at.replace(minute=at.minute - at.minute % 15, second=0, microsecond=0)


def floor_hour(at: datetime) -> datetime:
    return at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def floor_day(at: datetime) -> datetime:
    return at.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


@dataclass(frozen=True)
class Grain:
    """One time grain of the rollups: its collection, its theme rollups' collection,
    time field and bucket."""

    model: type[DailyRollup] | type[HourlyRollup] | type[SlotRollup]
    field: str
    floor: Callable[[datetime], datetime]
    theme_model: type[ThemeDailyRollup] | type[ThemeHourlyRollup] | type[ThemeSlotRollup]


DAYS = Grain(DailyRollup, "day", floor_day, ThemeDailyRollup)
HOURS = Grain(HourlyRollup, "hour", floor_hour, ThemeHourlyRollup)
SLOTS = Grain(SlotRollup, "slot", floor_slot, ThemeSlotRollup)
GRAINS = (DAYS, HOURS, SLOTS)


def nearest_midnight(at: datetime) -> datetime:
    floor = floor_day(at)
    return floor if at - floor < DAY / 2 else floor + DAY


def zone(name: str) -> ZoneInfo:
    return validation.time_zone(name, "timezone")


def local_start(day: date, tz: ZoneInfo) -> datetime:
    """The instant a local calendar day starts (after a gap, the gap's end)."""
    naive = datetime(day.year, day.month, day.day)
    instant = naive.replace(tzinfo=tz).astimezone(UTC)
    return instant


def period_starts(start: datetime, end: datetime, interval: Interval, tz: ZoneInfo) -> list[date]:
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
        current = advance(current, interval)
    return days


def advance(day: date, interval: Interval) -> date:
    """The first local date of the period after the one starting on `day`."""
    if interval is Interval.DAY:
        return day + timedelta(days=1)
    if interval is Interval.WEEK:
        return day + timedelta(days=7)
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


Window = tuple[datetime, datetime, int | None, int | None]


def merged_windows(windows: list[Window]) -> list[tuple[datetime, datetime, list[Window]]]:
    """Overlapping or touching windows as single ranges, each with its windows."""
    merged: list[tuple[datetime, datetime, list[Window]]] = []
    for window in sorted(windows, key=lambda window: window[0]):
        start, end = window[0], window[1]
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]), [*merged[-1][2], window])
        else:
            merged.append((start, end, [window]))
    return merged


def clustered(
    windows: list[Window], close: timedelta, most: int
) -> list[tuple[datetime, datetime, list[Window]]]:
    """The windows as at most `most` ranges, each with its windows: touching ones
    merged, and those less than `close` apart (reading the little between them costs
    less than a round trip); beyond `most`, the rest split at the widest gaps. So a
    query makes a bounded number of range scans however many periods it has (a year
    of days reads the hours of the year in one, not one per day), while the few
    windows of a summary or a monthly trend are still read alone."""
    stretches: list[tuple[datetime, datetime, list[Window]]] = []
    for start, end, members in merged_windows(windows):
        if stretches and start - stretches[-1][1] < close:
            stretches[-1] = (stretches[-1][0], end, [*stretches[-1][2], *members])
        else:
            stretches.append((start, end, members))
    if len(stretches) <= most:
        return stretches
    widest = sorted(
        range(1, len(stretches)),
        key=lambda i: stretches[i][0] - stretches[i - 1][1],
        reverse=True,
    )[: most - 1]
    ranges: list[tuple[datetime, datetime, list[Window]]] = []
    first = 0
    for cut in [*sorted(widest), len(stretches)]:
        group = stretches[first:cut]
        members = [window for stretch in group for window in stretch[2]]
        ranges.append((group[0][0], max(stretch[1] for stretch in group), members))
        first = cut
    return ranges


class WindowIndex:
    """The windows that hold a time, found by bisection (windows may overlap)."""

    def __init__(self, windows: list[Window]) -> None:
        self.windows = sorted(windows, key=lambda window: window[0])
        self.starts = [window[0] for window in self.windows]
        self.reach = list(itertools.accumulate((window[1] for window in self.windows), max))

    def holding(self, at: datetime) -> list[Window]:
        found = []
        i = bisect.bisect_right(self.starts, at) - 1
        while i >= 0 and self.reach[i] > at:
            if self.windows[i][1] > at:
                found.append(self.windows[i])
            i -= 1
        return found


def hours_and_slots(start: datetime, end: datetime) -> list[tuple[Grain, datetime, datetime]]:
    """[start, end) (on quarter-hours) as whole hours and the quarter-hours around them."""
    first_hour = floor_hour(start + HOUR - SLOT)
    last_hour = floor_hour(end)
    if first_hour >= last_hour:
        return [(SLOTS, start, end)]
    pieces = [(HOURS, first_hour, last_hour)]
    if start < first_hour:
        pieces.append((SLOTS, start, first_hour))
    if last_hour < end:
        pieces.append((SLOTS, last_hour, end))
    return pieces
