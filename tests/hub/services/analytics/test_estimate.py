"""The weight of an analytics query, told before it runs: its periods are those the
trend query makes, and its grains those it reads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from hub.services.analytics.criteria import Interval
from hub.services.analytics.estimate import range_grains, trend_grains, trend_periods
from hub.services.analytics.grains import MAX_PERIODS, floor_slot, period_starts

RANGES = [
    (datetime(2024, 7, 1, tzinfo=UTC), datetime(2026, 12, 31, tzinfo=UTC)),
    (datetime(2026, 3, 1, 7, 30, tzinfo=UTC), datetime(2026, 4, 2, 23, 59, tzinfo=UTC)),
    (datetime(2026, 1, 4, tzinfo=UTC), datetime(2026, 1, 5, tzinfo=UTC)),
    (datetime(2025, 12, 31, 23, 50, tzinfo=UTC), datetime(2026, 11, 1, 6, 10, tzinfo=UTC)),
]
ZONES = ["UTC", "Asia/Kathmandu", "America/New_York", "Pacific/Chatham", "Australia/Lord_Howe"]


@pytest.mark.parametrize("interval", list(Interval))
@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize(("start", "end"), RANGES)
def test_trend_periods_are_the_ones_the_query_makes(
    interval: Interval, zone: str, start: datetime, end: datetime
) -> None:
    made = period_starts(floor_slot(start), floor_slot(end), interval, ZoneInfo(zone))

    assert trend_periods(start, end, interval, zone) == len(made)


def test_a_trend_the_query_refuses_before_reading_weighs_one_period() -> None:
    start = datetime(2020, 1, 1, tzinfo=UTC)
    too_long = start + timedelta(days=MAX_PERIODS + 1)

    assert trend_periods(start, too_long, Interval.DAY, "UTC") == 1
    assert trend_periods(start, start + timedelta(days=9), Interval.DAY, "Mars/Olympus") == 1
    assert trend_periods(start, start + timedelta(days=9), Interval.DAY, "America") == 1
    assert trend_periods(start, start - timedelta(days=9), Interval.DAY, "UTC") == 1
    assert trend_periods(None, start, Interval.DAY, "UTC") == 1


def test_grains_follow_where_the_bounds_fall() -> None:
    midnight = datetime(2026, 1, 1, tzinfo=UTC)
    assert range_grains(None, None) == 1
    assert range_grains(midnight, midnight + timedelta(days=3)) == 1
    assert range_grains(midnight + timedelta(hours=5), None) == 2
    assert range_grains(None, midnight + timedelta(minutes=45)) == 3

    later = midnight + timedelta(days=30)
    assert trend_grains(midnight, later, "UTC") == 1
    assert trend_grains(midnight, later, "Europe/Oslo") == 2
    assert trend_grains(midnight, later, "Asia/Kolkata") == 3
    # Both ends in winter, on UTC midnights; the summer's local midnights are not.
    assert trend_grains(midnight, midnight + timedelta(days=365), "Europe/London") == 2
