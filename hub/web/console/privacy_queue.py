"""/console/privacy: the rights-request queue, soonest due first (overdue ones lead),
filtered by status and type through GET parameters, a page at a time."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.responses import Response

from hub.errors import ErrorCode, ValidationFailed
from hub.services.access import roles as access
from hub.web.console.privacy_api import QUEUE, ask
from hub.web.console.view import ConsolePage, ConsoleView

PAGE_SIZE = 25
STATUSES = ("RECEIVED", "VERIFIED", "IN_PROGRESS", "COMPLETED", "REJECTED", "CANCELED")
TYPES = ("ACCESS", "PORTABILITY", "ERASURE", "RECTIFICATION", "RESTRICTION", "OBJECTION")
# The status filter's choices: open (the default), overdue, everything, or one status.
SHOWS = ("open", "overdue", "all", *STATUSES)
_MAX_CURSOR = 500


def _filters(view: ConsoleView) -> tuple[str, str, str | None]:
    params = view.request.query_params
    show = params.get("status") or "open"
    kind = params.get("type") or ""
    after = params.get("after") or None
    if show not in SHOWS:
        raise ValidationFailed(ErrorCode.INVALID_INPUT, "Unknown status filter.", "status")
    if kind and kind not in TYPES:
        raise ValidationFailed(ErrorCode.INVALID_INPUT, "Unknown request type.", "type")
    if after is not None and (len(after) > _MAX_CURSOR or not after.isprintable()):
        raise ValidationFailed(ErrorCode.INVALID_INPUT, "The cursor is not valid.", "after")
    return show, kind, after


def _variables(show: str, kind: str, after: str | None) -> dict[str, Any]:
    variables: dict[str, Any] = {"first": PAGE_SIZE, "after": after, "type": kind or None}
    if show == "open":
        variables["open"] = True
    elif show == "overdue":
        variables["overdue"] = True
    elif show != "all":
        variables["status"] = show
    return variables


def query_of(show: str, kind: str, after: str | None = None) -> str:
    """The queue's address with these filters (ids and filter words only)."""
    params = {
        name: value
        for name, value in (("status", show), ("type", kind), ("after", after or ""))
        if value and not (name == "status" and value == "open")
    }
    return f"/console/privacy?{urlencode(params)}" if params else "/console/privacy"


async def queue(view: ConsoleView) -> Response:
    show, kind, after = _filters(view)
    found = (await ask(view, QUEUE, **_variables(show, kind, after)))["rightsRequests"]
    page_info = found["pageInfo"]
    next_page = query_of(show, kind, page_info["endCursor"]) if page_info["hasNextPage"] else None
    return view.render(
        "console/privacy_queue.html",
        requests=[edge["node"] for edge in found["edges"]],
        total=found["totalCount"],
        show=show,
        kind=kind,
        shows=SHOWS,
        types=TYPES,
        next_page=next_page,
        first_page=query_of(show, kind) if after else None,
    )


PAGES = (ConsolePage("/privacy", queue, access.PERSONAL_DATA_READERS),)
