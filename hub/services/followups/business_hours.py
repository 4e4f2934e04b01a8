"""Business hours for reminder clocks: only time inside them counts, so a follow-up
that arrives on Friday evening is not overdue on Saturday morning.

Each day's opening and closing are local wall-clock times in the rule's time zone,
converted to UTC before any arithmetic, so days on which the clocks change are as long
as they really are."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hub.errors import ErrorCode, ValidationFailed
from hub.models.routing import BusinessHours
from hub.services.platform import validation

# How far ahead a due time is looked for: beyond it a threshold counts as never met.
HORIZON_DAYS = 3 * 366
_CLOCK_TIME = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])$")


def _time_of(value: str) -> time:
    hour, minute = value.split(":")
    return time(int(hour), int(minute))


def cleaned(hours: BusinessHours, field: str) -> BusinessHours:
    """The business hours, or ValidationFailed naming the faulty part."""
    validation.time_zone(
        hours.time_zone, f"{field}.timeZone", "Give an IANA time zone, like Europe/Berlin."
    )
    days = sorted(set(hours.days))
    if not days or any(not 1 <= day <= 7 for day in days):
        raise ValidationFailed(
            ErrorCode.INVALID_INPUT,
            "Days are 1 (Monday) to 7 (Sunday), at least one.",
            f"{field}.days",
        )
    for name, value in (("start", hours.start), ("end", hours.end)):
        if not _CLOCK_TIME.match(value):
            raise ValidationFailed(
                ErrorCode.INVALID_INPUT, "A time of day looks like 09:00.", f"{field}.{name}"
            )
    if _time_of(hours.start) >= _time_of(hours.end):
        raise ValidationFailed(
            ErrorCode.INVALID_INPUT,
            "Business hours end after they start, on the same day.",
            f"{field}.end",
        )
    return BusinessHours(time_zone=hours.time_zone, days=days, start=hours.start, end=hours.end)


def _windows(hours: BusinessHours, since: datetime) -> Iterator[tuple[datetime, datetime]]:
    """The opening hours in UTC from the local day of `since` on, up to the horizon."""
    zone = ZoneInfo(hours.time_zone)
    opens, closes = _time_of(hours.start), _time_of(hours.end)
    day = since.astimezone(zone).date()
    for offset in range(HORIZON_DAYS):
        local = day + timedelta(days=offset)
        if local.isoweekday() in hours.days:
            start = datetime.combine(local, opens, zone).astimezone(UTC)
            end = datetime.combine(local, closes, zone).astimezone(UTC)
            yield start, end


def due_at(since: datetime, after: timedelta, hours: BusinessHours | None) -> datetime | None:
    """When `after` of counted time has passed since `since`: all time without business
    hours, else only time inside them. None when that is beyond the horizon."""
    if hours is None:
        return since + after
    remaining = after
    for start, end in _windows(hours, since):
        begin = max(start, since)
        if begin >= end:
            continue
        if end - begin >= remaining:
            return begin + remaining
        remaining -= end - begin
    return None


def is_open(moment: datetime, hours: BusinessHours | None) -> bool:
    """Whether `moment` is inside business hours (always, without them)."""
    if hours is None:
        return True
    zone = ZoneInfo(hours.time_zone)
    local = moment.astimezone(zone)
    return local.isoweekday() in hours.days and _time_of(hours.start) <= local.time().replace(
        tzinfo=None
    ) < _time_of(hours.end)
