"""CSV exports of responses, streamed from a cursor, masked by role.

An export is downloaded from `GET /exports/responses.csv`, either with a bearer
token and the filter as query parameters, or through a short-lived link that
`exportResponses` signs (so a browser can download it without holding the token).
The link's `signature` is a signed token (`hub.services.platform.tokens`) over the
rest of its query, filter and role, with the link's expiry; any hub process sharing
the server secret accepts it.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
from collections.abc import AsyncIterator, Mapping
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from hub.clock import Clock
from hub.errors import DomainError, ErrorCode, ValidationFailed
from hub.models.common import Channel, Metric, Role
from hub.models.response import Response
from hub.services.access import roles as access
from hub.services.platform.tokens import Purpose, SignedTokens
from hub.services.privacy import free_text
from hub.services.themes.tags_for import theme_keys
from hub.services.widget.responses import ResponseFilter
from hub.services.widget.stores import responses

PATH = "/exports/responses.csv"
COLUMNS = (
    "id",
    "survey_key",
    "metric",
    "score",
    "comment",
    "themes",
    "commented_at",
    "product",
    "company",
    "country",
    "channel",
    "locale",
    "answered_at",
    "user_id",
    "username",
    "email",
    "url",
)
THEME_SEPARATOR = "|"  # between the theme keys of a comment's tags, in one cell
_BATCH = 500
_FILTER_PARAMS = (
    "survey",
    "metric",
    "product",
    "country",
    "channel",
    "scoreMin",
    "scoreMax",
    "hasComment",
    "from",
    "to",
)


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(ErrorCode.INVALID_INPUT, message, field)


def _int(value: str, field: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise _invalid(field, f"{field} must be a whole number.") from None


def _time(value: str, field: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise _invalid(field, f"{field} must be an ISO 8601 time.") from None
    if parsed.tzinfo is None:
        raise _invalid(field, f"{field} needs a time zone offset.")
    return parsed


def filter_params(criteria: ResponseFilter) -> list[tuple[str, str]]:
    """The filter as query parameters (the inverse of `parse_filter`)."""
    params: list[tuple[str, str]] = [("survey", key) for key in criteria.survey_keys or []]
    for name, value in (
        ("metric", criteria.metric),
        ("product", criteria.product),
        ("country", criteria.country),
        ("channel", criteria.channel),
        ("scoreMin", criteria.score_min),
        ("scoreMax", criteria.score_max),
        ("hasComment", None if criteria.has_comment is None else str(criteria.has_comment).lower()),
        ("from", criteria.answered_from.isoformat() if criteria.answered_from else None),
        ("to", criteria.answered_to.isoformat() if criteria.answered_to else None),
    ):
        if value is not None:
            params.append((name, str(value)))
    return params


def parse_filter(params: Mapping[str, list[str]]) -> ResponseFilter:
    """A filter from query parameters; every value typed and checked."""

    def one(name: str) -> str | None:
        values = params.get(name) or []
        if len(values) > 1:
            raise _invalid(name, f"{name} may be given once.")
        return values[0] if values else None

    metric, channel, has_comment = one("metric"), one("channel"), one("hasComment")
    if metric is not None and metric not in Metric.__members__:
        raise _invalid("metric", "metric must be NPS, CES or CSAT.")
    if channel is not None and channel not in Channel.__members__:
        raise _invalid("channel", "Unknown channel.")
    if has_comment not in (None, "true", "false"):
        raise _invalid("hasComment", "hasComment must be true or false.")
    score_min, score_max, start, end = one("scoreMin"), one("scoreMax"), one("from"), one("to")
    surveys = params.get("survey")
    return ResponseFilter(
        survey_keys=list(surveys) if surveys else None,
        metric=Metric(metric) if metric else None,
        score_min=_int(score_min, "scoreMin") if score_min is not None else None,
        score_max=_int(score_max, "scoreMax") if score_max is not None else None,
        product=one("product"),
        country=one("country"),
        channel=Channel(channel) if channel else None,
        has_comment=None if has_comment is None else has_comment == "true",
        answered_from=_time(start, "from") if start else None,
        answered_to=_time(end, "to") if end else None,
    )


class ExportService:
    """Signs export links and writes the CSV."""

    def __init__(self, clock: Clock, link_seconds: int, secret: bytes) -> None:
        self.clock = clock
        self.link_seconds = link_seconds
        self._tokens = SignedTokens(secret, clock)

    def link(self, criteria: ResponseFilter, role: Role) -> tuple[str, datetime]:
        """A path and query that download this export as `role` until it expires."""
        criteria.to_query()  # refuse a bad filter now rather than at download
        expires = self.clock.now() + timedelta(seconds=self.link_seconds)
        params = [*filter_params(criteria), ("role", role.value)]
        token = self._tokens.issue(Purpose.RESPONSE_EXPORT, {"q": _digest(params)}, expires)
        params.append(("signature", token))
        return f"{PATH}?{urlencode(params)}", expires

    def verify(self, params: Mapping[str, list[str]]) -> Role | None:
        """The role a signed link grants, or None if it is forged, altered or expired."""
        pairs = [(name, value) for name, values in params.items() for value in values]
        signatures = [value for name, value in pairs if name == "signature"]
        rest = [(name, value) for name, value in pairs if name != "signature"]
        if len(signatures) != 1:
            return None
        try:
            signed = self._tokens.open(Purpose.RESPONSE_EXPORT, signatures[0])
        except DomainError:
            return None
        if not hmac.compare_digest(str(signed.get("q", "")), _digest(rest)):
            return None
        try:
            return Role(dict(rest)["role"])
        except (KeyError, ValueError):
            return None

    async def csv_chunks(self, criteria: ResponseFilter, role: Role) -> AsyncIterator[str]:
        """The CSV, a header then batches of rows, newest first. People taken out of
        analytics are left out; personal data is blank for roles that may not see it,
        and masked in their comments (one lookup per batch). `themes` holds the keys of
        the themes the comment was tagged with, separated by "|" (the words that matched
        are in `responses`, where they are masked as the comment is)."""
        reveal = access.may_see_personal_data(role)
        query: dict[str, Any] = {**criteria.to_query(), "analytics_excluded": {"$ne": True}}
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(COLUMNS)
        cursor = responses.newest_first(query, _BATCH)
        batch: list[Response] = []
        async for raw in cursor:
            batch.append(Response.model_validate(raw))
            if len(batch) == _BATCH:
                writer.writerows(await _rows(batch, reveal))
                batch.clear()
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        writer.writerows(await _rows(batch, reveal))
        yield buffer.getvalue()


def _digest(params: list[tuple[str, str]]) -> str:
    """What a link's token signs of its query: the SHA-256 of the rest of it, in
    one order (so the token stays short however long the filter)."""
    return hashlib.sha256(urlencode(sorted(params)).encode()).hexdigest()


async def _rows(responses: list[Response], reveal: bool) -> list[list[object]]:
    """The CSV rows of a batch of responses."""
    rows: list[list[object]] = []
    comments = [response.comment or "" for response in responses]
    if not reveal:
        comments = await free_text.masked(comments)
    for response, comment in zip(responses, comments, strict=True):
        user = response.user
        rows.append(
            [
                str(response.id),
                response.survey_key,
                response.metric.value,
                response.score,
                _cell(comment),
                THEME_SEPARATOR.join(theme_keys(response.themes)),
                _iso(response.commented_at),
                _cell(response.product),
                _cell(response.customer.company),
                response.customer.country or "",
                response.channel.value,
                response.locale,
                _iso(response.answered_at),
                user.id if reveal else "",
                _cell(user.username) if reveal else "",
                _cell(user.email) if reveal else "",
                _cell(response.url) if reveal else "",
            ]
        )
    return rows


def _iso(value: datetime | None) -> str:
    return value.isoformat() if value else ""


def _cell(value: str | None) -> str:
    """Text as a spreadsheet will not run it as a formula (CSV injection)."""
    if not value:
        return ""
    return "'" + value if value[0] in "=+-@\t\r" else value
