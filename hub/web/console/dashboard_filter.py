"""The dashboard's filter, read from the address's query so a view can be shared:
`survey`, `metric`, `from` and `to` (local dates, both included), `tz` (IANA) and
`grain` (day, week, month). A malformed value is a `FilterError` naming its field."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from hub.errors import ValidationFailed
from hub.services.platform import validation

DEFAULT_DAYS = 90
# Longer than any dashboard needs, short enough that no trend grows without bound.
MAX_DAYS = 3 * 366
GRAINS = ("day", "week", "month")
METRICS = ("NPS", "CSAT", "CES")
FIELDS = ("survey", "metric", "from", "to", "tz", "grain")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_SURVEY_KEY_LIMIT = 100


class FilterError(Exception):
    """A filter value that cannot be used: the field's name and why (a string key
    of the dashboard's strings, or the API's own message)."""

    def __init__(self, field: str, reason_key: str = "", message: str = "") -> None:
        super().__init__(field)
        self.field = field
        self.reason_key = reason_key
        self.message = message


@dataclass(frozen=True)
class DashboardFilter:
    """What the dashboard shows: one survey or every survey of a metric, the local
    dates from and to (both included) in a zone, and the trend's grain."""

    survey: str | None
    metric: str
    start: date
    end: date
    tz: str
    grain: str

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz)

    @property
    def date_from(self) -> datetime:
        """The first day's local midnight."""
        return datetime(self.start.year, self.start.month, self.start.day, tzinfo=self.zone)

    @property
    def date_to(self) -> datetime:
        """The local midnight after the last day (the API's exclusive end)."""
        after = self.end + timedelta(days=1)
        return datetime(after.year, after.month, after.day, tzinfo=self.zone)

    def api_filter(self) -> dict[str, Any]:
        """The GraphQL `AnalyticsFilter` for this view."""
        found: dict[str, Any] = {
            "dateFrom": self.date_from.isoformat(),
            "dateTo": self.date_to.isoformat(),
        }
        if self.survey:
            found["surveyKeys"] = [self.survey]
        else:
            found["metric"] = self.metric
        return found

    def query(self, **changes: str) -> str:
        """This view's address query (for links that keep the filter)."""
        values = {
            "survey": self.survey or "",
            "metric": self.metric,
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "tz": self.tz,
            "grain": self.grain,
        }
        values.update(changes)
        return urlencode(values)


def _one(params: Mapping[str, list[str]], name: str) -> str:
    values = params.get(name) or [""]
    if len(values) > 1:
        raise FilterError(name, "dashboard_reason_once")
    try:
        return validation.well_formed_text(values[0], name).strip()
    except ValidationFailed as error:
        raise FilterError(name, message=error.message) from None


def _date(value: str, name: str) -> date:
    if not _DATE.fullmatch(value):
        raise FilterError(name, "dashboard_reason_date")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise FilterError(name, "dashboard_reason_date") from None


def parse(params: Mapping[str, list[str]], today: datetime) -> DashboardFilter:
    """The filter the query asks for, defaults filled in: every NPS survey, the last
    90 days up to `today` in the zone, UTC, per day. `survey` is checked against
    the surveys by the page (the API knows them); here only its form."""
    tz = _one(params, "tz") or "UTC"
    try:
        zone = validation.time_zone(tz, "tz")
    except ValidationFailed as error:
        raise FilterError("tz", message=error.message) from None
    metric = (_one(params, "metric") or "NPS").upper()
    if metric not in METRICS:
        raise FilterError("metric", "dashboard_reason_metric")
    grain = (_one(params, "grain") or "day").lower()
    if grain not in GRAINS:
        raise FilterError("grain", "dashboard_reason_grain")
    survey = _one(params, "survey") or None
    if survey is not None and len(survey) > _SURVEY_KEY_LIMIT:
        raise FilterError("survey", "dashboard_reason_survey")
    raw_to, raw_from = _one(params, "to"), _one(params, "from")
    end = _date(raw_to, "to") if raw_to else today.astimezone(zone).date()
    start = _date(raw_from, "from") if raw_from else end - timedelta(days=DEFAULT_DAYS - 1)
    if start > end:
        raise FilterError("from", "dashboard_reason_order")
    if (end - start).days + 1 > MAX_DAYS:
        raise FilterError("from", "dashboard_reason_long")
    if start.year < 2000 or end.year > 9998:
        raise FilterError("from" if start.year < 2000 else "to", "dashboard_reason_date")
    return DashboardFilter(survey, metric, start, end, zone.key, grain)
