"""Reminder clocks in business hours: only time inside them counts, on the local
wall clock of the rule's time zone, across weekends and clock changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hub.models.routing import BusinessHours
from hub.services.followups.business_hours import due_at, is_open

BERLIN = BusinessHours(time_zone="Europe/Berlin", days=[1, 2, 3, 4, 5])


def test_without_business_hours_all_time_counts() -> None:
    since = datetime(2026, 3, 7, 23, 0, tzinfo=UTC)
    assert due_at(since, timedelta(minutes=90), None) == since + timedelta(minutes=90)
    assert is_open(since, None)


def test_the_clock_stops_overnight_and_over_the_weekend_and_the_clocks_change() -> None:
    # Friday 27 March 2026 16:30 in Berlin (CET); the clocks go forward on Sunday 29
    since = datetime(2026, 3, 27, 15, 30, tzinfo=UTC)

    # 30 minutes left on Friday, 30 more on Monday from 09:00 CEST (07:00 UTC)
    assert due_at(since, timedelta(minutes=60), BERLIN) == datetime(2026, 3, 30, 7, 30, tzinfo=UTC)
    # Two full days of eight hours, plus the half hour
    assert due_at(since, timedelta(hours=16, minutes=30), BERLIN) == datetime(
        2026, 3, 31, 15, 0, tzinfo=UTC
    )


def test_a_follow_up_before_opening_starts_counting_at_opening() -> None:
    # Tuesday 06:00 in Berlin, winter time
    since = datetime(2026, 1, 13, 5, 0, tzinfo=UTC)
    assert due_at(since, timedelta(minutes=15), BERLIN) == datetime(2026, 1, 13, 8, 15, tzinfo=UTC)


def test_open_hours_are_local() -> None:
    assert is_open(datetime(2026, 7, 1, 7, 0, tzinfo=UTC), BERLIN)  # 09:00 CEST
    assert not is_open(datetime(2026, 7, 1, 6, 59, tzinfo=UTC), BERLIN)
    assert not is_open(datetime(2026, 7, 1, 15, 0, tzinfo=UTC), BERLIN)  # 17:00: closed
    assert not is_open(datetime(2026, 7, 4, 10, 0, tzinfo=UTC), BERLIN)  # Saturday


def test_hours_that_never_come_are_never_due() -> None:
    one_hour_on_sundays = BusinessHours(time_zone="UTC", days=[7], start="10:00", end="11:00")
    since = datetime(2026, 1, 1, tzinfo=UTC)
    assert due_at(since, timedelta(days=30), one_hour_on_sundays) is None
