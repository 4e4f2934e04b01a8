"""What an analytics query will read, weighed before it runs and without the database:
the API's cost model refuses a request whose weight is beyond the caller's limit.

A query reads, per period, the day rollups between the UTC midnights nearest its
bounds, plus the hourly rollups when a bound is not on a UTC midnight, plus the
quarter-hour rollups when it is not on the hour (see `queries`). So its weight is
periods x grains: a daily trend in UTC reads one grain per period, one in New York
two, one in Kathmandu (UTC+5:45) all three.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hub.errors import ValidationFailed
from hub.services.analytics.criteria import Interval
from hub.services.analytics.grains import (
    DAY,
    GRAINS,
    HOUR,
    MAX_PERIODS,
    floor_day,
    floor_slot,
    zone,
)

# Offsets looked at in a trend's range: a thousand months, the longest trend, and more.
MAX_OFFSET_SAMPLES = 1100


def _grains_for(times_of_day: list[timedelta]) -> int:
    """Grains read for bounds at these UTC times of day."""
    if all(time == timedelta(0) for time in times_of_day):
        return 1
    if all(time % HOUR == timedelta(0) for time in times_of_day):
        return 2
    return len(GRAINS)


def range_grains(date_from: datetime | None, date_to: datetime | None) -> int:
    """Grains a summary over [date_from, date_to) reads; an open end reads days only."""
    bounds = [floor_slot(bound) for bound in (date_from, date_to) if bound is not None]
    return _grains_for([bound - floor_day(bound) for bound in bounds])


def comparison_grains(date_from: datetime | None, date_to: datetime | None) -> int:
    """Grains a comparison of [date_from, date_to) with the period of the same length
    before it reads (emerging themes); one without both ends (it is refused)."""
    if date_from is None or date_to is None:
        return 1
    start, end = floor_slot(date_from), floor_slot(date_to)
    bounds = [start - (end - start), start, end]
    return _grains_for([bound - floor_day(bound) for bound in bounds])


def _zone(name: str) -> ZoneInfo | None:
    try:
        return zone(name)
    except ValidationFailed:
        return None


def trend_periods(
    date_from: datetime | None, date_to: datetime | None, interval: Interval, timezone: str
) -> int:
    """The periods of a trend, as `queries.trend` makes them, counted without listing
    them. A trend the query refuses before reading (an unknown zone, a missing or
    reversed range, more than MAX_PERIODS periods) weighs one period."""
    tz = _zone(timezone)
    if tz is None or date_from is None or date_to is None:
        return 1
    start, end = floor_slot(date_from), floor_slot(date_to)
    if end <= start:
        return 1
    first = start.astimezone(tz).date()
    last = (end - timedelta(microseconds=1)).astimezone(tz).date()
    if interval is Interval.MONTH:
        periods = (last.year - first.year) * 12 + last.month - first.month + 1
    elif interval is Interval.WEEK:
        monday = first - timedelta(days=first.weekday())
        periods = (last - monday).days // 7 + 1
    else:
        periods = (last - first).days + 1
    return periods if periods <= MAX_PERIODS else 1


def trend_grains(date_from: datetime | None, date_to: datetime | None, timezone: str) -> int:
    """Grains a trend reads: its bounds, and the local midnights between periods at
    every UTC offset the zone has over the range."""
    tz = _zone(timezone)
    if tz is None or date_from is None or date_to is None:
        return 1
    start, end = floor_slot(date_from), floor_slot(date_to)
    if end <= start:
        return 1
    # Every 30 days: a daylight-saving season lasts longer, so none is missed.
    step = timedelta(days=30)
    samples = min(int((end - start) / step), MAX_OFFSET_SAMPLES)
    moments = [start + step * n for n in range(samples + 1)] + [end]
    offsets = {moment.astimezone(tz).utcoffset() or timedelta(0) for moment in moments}
    midnights = [-offset % DAY for offset in offsets]
    return _grains_for([*midnights, *(bound - floor_day(bound) for bound in (start, end))])
