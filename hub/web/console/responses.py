"""/console/responses: the responses, newest first, a page at a time, filtered by GET
parameters, as the `responses` query gives them to the signed-in person (masked or
not: the API decides), each linked to its follow-up when it opened one."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from starlette.responses import Response

from hub.errors import ErrorCode, ValidationFailed
from hub.models.common import Metric
from hub.services.access import roles as access
from hub.services.analytics.bands import bands
from hub.web.console.api import ApiFailed
from hub.web.console.view import ConsolePage, ConsoleView, PageError

PAGE_SIZE = 25
BANDS = ("favourable", "middle", "unfavourable")
MAX_CURSOR = 200

RESPONSES = """
query ConsoleResponses($filter: ResponseFilter, $first: Int!, $after: String) {
  responses(filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node {
      id surveyKey metric score product channel locale answeredAt followUpId
      customer { company country }
      user { id username email masked }
      comment
      themes { theme words }
    } }
  }
  surveys { key }
}
"""


@dataclass(frozen=True)
class ResponseQuery:
    """The list's filters as the URL gives them, and the API's filter they make."""

    survey: str = ""
    metric: str = ""
    band: str = ""
    comment: str = ""  # "", "yes" or "no"
    date_from: str = ""
    date_to: str = ""
    after: str = ""

    def shown(self) -> dict[str, str]:
        """The filters that are set, for links (never personal data: keys and dates)."""
        values = {
            "survey": self.survey,
            "metric": self.metric,
            "band": self.band,
            "comment": self.comment,
            "from": self.date_from,
            "to": self.date_to,
        }
        return {name: value for name, value in values.items() if value}

    def link(self, **changes: str) -> str:
        values = {**self.shown(), **changes}
        query = urlencode({name: value for name, value in values.items() if value})
        return f"/console/responses?{query}" if query else "/console/responses"

    def api_filter(self) -> dict[str, Any]:
        found: dict[str, Any] = {}
        if self.survey:
            found["surveyKeys"] = [self.survey]
        if self.metric:
            found["metric"] = self.metric
        if self.band:
            low, high = _band_range(Metric(self.metric), self.band)
            found["scoreMin"], found["scoreMax"] = low, high
        if self.comment:
            found["hasComment"] = self.comment == "yes"
        if self.date_from:
            found["answeredFrom"] = _midnight(_date(self.date_from, "from")).isoformat()
        if self.date_to:
            day_after = _date(self.date_to, "to") + timedelta(days=1)
            found["answeredTo"] = _midnight(day_after).isoformat()
        return found


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(ErrorCode.INVALID_INPUT, message, field)


def _date(value: str, field: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _invalid(field, f"{field}: a date as YYYY-MM-DD.") from None


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), UTC)


def _band_range(metric: Metric, band: str) -> tuple[int, int]:
    found = bands(metric)
    if band == "favourable":
        return found.favourable
    if band == "unfavourable":
        return found.unfavourable
    low, high = metric.scale
    middle_low = found.unfavourable[1] + 1 if found.unfavourable[0] == low else low
    middle_high = found.favourable[0] - 1 if found.favourable[1] == high else high
    return middle_low, middle_high


def parse(params: Mapping[str, str]) -> ResponseQuery:
    """The filters of the URL, checked: a malformed one is a 400 page."""
    metric = params.get("metric", "")
    if metric and metric not in {member.value for member in Metric}:
        raise _invalid("metric", "metric: one of NPS, CSAT, CES.")
    band = params.get("band", "")
    if band and band not in BANDS:
        raise _invalid("band", "band: favourable, middle or unfavourable.")
    if band and not metric:
        raise _invalid("band", "band: choose a metric first.")
    comment = params.get("comment", "")
    if comment not in ("", "yes", "no"):
        raise _invalid("comment", "comment: yes or no.")
    after = params.get("after", "")
    if len(after) > MAX_CURSOR:
        raise _invalid("after", "after: not a page of this list.")
    query = ResponseQuery(
        survey=params.get("survey", "").strip(),
        metric=metric,
        band=band,
        comment=comment,
        date_from=params.get("from", ""),
        date_to=params.get("to", ""),
        after=after,
    )
    query.api_filter()  # dates checked here
    if query.date_from and query.date_to and query.date_to < query.date_from:
        raise _invalid("to", "to: on or after from.")
    return query


# What the API answers about its input (a cursor that is not one, a filter it refuses).
INPUT_CODES = frozenset(code.value for code in ErrorCode)


def refused_input(failed: ApiFailed) -> Exception:
    """The 400 page for input the API refused; anything else stays a failure."""
    if failed.errors and all(error.code in INPUT_CODES for error in failed.errors):
        return PageError(400, "bad_request_title", "", detail=failed.errors[0].message)
    return failed


async def responses_page(view: ConsoleView) -> Response:
    wanted = parse(view.request.query_params)
    try:
        data = await view.query(
            RESPONSES,
            filter=wanted.api_filter() or None,
            first=PAGE_SIZE,
            after=wanted.after or None,
        )
    except ApiFailed as failed:
        raise refused_input(failed) from None
    found = data["responses"]
    page_info = found["pageInfo"]
    return view.render(
        "console/responses.html",
        wanted=wanted,
        responses=[edge["node"] for edge in found["edges"]],
        total=found["totalCount"],
        next_link=wanted.link(after=page_info["endCursor"]) if page_info["hasNextPage"] else None,
        first_link=wanted.link() if wanted.after else None,
        survey_keys=sorted(survey["key"] for survey in data["surveys"]),
        metrics=[member.value for member in Metric],
        bands=BANDS,
        may_follow_up=view.role in access.FOLLOW_UP_HANDLERS,
    )


PAGES = (ConsolePage("/responses", responses_page, access.READERS),)
