"""The dashboard's filter from the address: defaults by the clock and the zone, the
API filter it asks for, and the field a bad value is reported on."""

from __future__ import annotations

from datetime import UTC, date, datetime
from urllib.parse import parse_qs

import pytest

from hub.web.console.dashboard_filter import FilterError, parse

NOW = datetime(2026, 3, 20, 23, 30, tzinfo=UTC)


def _parse(query: str, now: datetime = NOW) -> object:
    return parse(parse_qs(query, keep_blank_values=True), now)


def test_the_default_is_every_nps_survey_over_the_last_90_days_in_utc_per_day() -> None:
    chosen = parse({}, NOW)
    assert (chosen.survey, chosen.metric, chosen.tz, chosen.grain) == (None, "NPS", "UTC", "day")
    assert (chosen.start, chosen.end) == (date(2025, 12, 21), date(2026, 3, 20))
    assert chosen.api_filter() == {
        "metric": "NPS",
        "dateFrom": "2025-12-21T00:00:00+00:00",
        "dateTo": "2026-03-21T00:00:00+00:00",
    }


def test_today_is_the_zones_today() -> None:
    chosen = parse({"tz": ["Pacific/Auckland"]}, NOW)
    assert chosen.end == date(2026, 3, 21)  # already the 21st in New Zealand


def test_the_last_day_is_included_up_to_the_next_local_midnight_across_dst() -> None:
    chosen = parse(
        {"from": ["2026-03-01"], "to": ["2026-03-31"], "tz": ["Europe/Oslo"], "survey": ["s"]},
        NOW,
    )
    assert chosen.api_filter() == {
        "surveyKeys": ["s"],
        "dateFrom": "2026-03-01T00:00:00+01:00",
        "dateTo": "2026-04-01T00:00:00+02:00",
    }


def test_blank_values_and_any_case_are_the_defaults_and_the_filter_round_trips() -> None:
    chosen = parse(
        {"survey": [""], "metric": ["csat"], "grain": ["WEEK"], "tz": [" Europe/Oslo "]}, NOW
    )
    assert (chosen.survey, chosen.metric, chosen.grain, chosen.tz) == (
        None,
        "CSAT",
        "week",
        "Europe/Oslo",
    )
    again = parse(parse_qs(chosen.query(), keep_blank_values=True), NOW)
    assert again == chosen


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=2026-13-01", "from"),
        ("from=1.3.2026", "from"),
        ("to=2026-03-1", "to"),
        ("to=%EF%BC%92026-03-01", "to"),  # a full-width digit
        ("from=2026-03-02&to=2026-03-01", "from"),
        ("from=2020-01-01&to=2026-01-01", "from"),
        ("from=1999-12-31&to=2000-01-02", "from"),
        ("tz=Not/AZone", "tz"),
        ("tz=", None),
        ("metric=NET", "metric"),
        ("grain=year", "grain"),
        ("survey=" + "x" * 101, "survey"),
        ("survey=a&survey=b", "survey"),
        ("tz=UTC%0A", "tz"),
        ("survey=a%0Ab", "survey"),
    ],
)
def test_a_bad_value_names_its_field(query: str, field: str | None) -> None:
    if field is None:
        _parse(query)  # blank or surrounding white space: the default
        return
    with pytest.raises(FilterError) as raised:
        _parse(query)
    assert raised.value.field == field


def test_three_years_is_the_longest_period() -> None:
    longest = parse({"from": ["2023-03-21"], "to": ["2026-03-20"]}, NOW)
    assert (longest.end - longest.start).days + 1 <= 3 * 366
