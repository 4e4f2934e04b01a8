"""/console/privacy/requests/<id>: one rights request — its identities (verified,
confirmed, claimed, linked) with the records each carries, its messages to the person
and its outcome — and the officer's actions on it: confirm an identity, execute,
extend, tell the person a restriction ends, create an export download link.

Each action is a POST; done, it answers 303 back to the request with a notice key;
refused by the API, it shows the request again with the API's reason and 400, 409 or
404, nothing changed. The export link is shown on the page that created it and never
put into an address."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from hub.errors import ErrorCode, ValidationFailed
from hub.services.access import roles as access
from hub.web.console.privacy_api import (
    CONFIRM,
    EXECUTE,
    EXPORT_LINK,
    EXTEND,
    LIFT,
    NOTIFY_LIFT,
    RECORD_NOTIFIED,
    REQUEST,
    SET_STATUS,
    Refusal,
    act,
    ask,
)
from hub.web.console.view import ConsolePage, ConsoleView, Handler, redirect

NOTICES = frozenset(
    {"confirmed", "executed", "extended", "notice_sent", "notified", "lifted", "moved"}
)
# Where an open request may be moved by hand (COMPLETED comes from executing it).
MOVES = {
    "RECEIVED": ("VERIFIED", "REJECTED", "CANCELED"),
    "VERIFIED": ("IN_PROGRESS", "REJECTED", "CANCELED"),
    "IN_PROGRESS": ("REJECTED", "CANCELED"),
}
ALL_MOVES = frozenset(status for moves in MOVES.values() for status in moves)
IDENTITY_KINDS = frozenset({"EMAIL", "USER_ID"})
EXPORT_FORMATS = frozenset({"json", "csv"})
REASON = frozenset({"reason"})


def _id(view: ConsoleView) -> str:
    return str(view.request.path_params["id"])


def _path(request_id: str) -> str:
    return f"/console/privacy/requests/{request_id}"


async def show(
    view: ConsoleView,
    status: int = 200,
    refusal: Refusal | None = None,
    export_link: dict[str, Any] | None = None,
) -> Response:
    """The request page, as it is now (after a refused action: unchanged)."""
    found = (await ask(view, REQUEST, id=_id(view)))["rightsRequest"]
    notice = view.request.query_params.get("notice")
    matches = found["identityMatches"]
    return view.render(
        "console/privacy_request.html",
        status=status,
        item=found,
        reached=[match for match in matches if match["reached"]],
        waiting=[match for match in matches if not match["reached"]],
        notice=notice if notice in NOTICES else None,
        refusal=refusal,
        export_link=export_link,
        is_open=found["status"] in MOVES,
        moves=MOVES.get(found["status"], ()),
        executable=found["status"] in ("VERIFIED", "IN_PROGRESS"),
        exportable=found["status"] == "COMPLETED" and found["type"] in ("ACCESS", "PORTABILITY"),
    )


async def request_page(view: ConsoleView) -> Response:
    return await show(view)


async def _after(view: ConsoleView, refusal: Refusal | None, notice: str) -> Response:
    """Back to the request with `notice`; or, refused, the request with the reason."""
    if refusal is not None:
        return await show(view, refusal.status, refusal)
    return redirect(_path(_id(view)), notice=notice)


def _required(form: dict[str, str], name: str, allowed: frozenset[str]) -> str:
    value = form.get(name, "")
    if value not in allowed:
        raise ValidationFailed(ErrorCode.INVALID_INPUT, f"Choose a valid {name}.", name)
    return value


async def confirm(view: ConsoleView) -> Response:
    form = await view.form(REASON)
    kind = _required(form, "kind", IDENTITY_KINDS)
    value = form.get("value", "").strip()
    if not value:
        raise ValidationFailed(ErrorCode.INVALID_INPUT, "Choose an identity to confirm.", "value")
    _, refusal = await act(
        view,
        CONFIRM,
        id=_id(view),
        userIds=[value] if kind == "USER_ID" else [],
        emails=[value] if kind == "EMAIL" else None,
        reason=form.get("reason", ""),
    )
    return await _after(view, refusal, "confirmed")


async def execute(view: ConsoleView) -> Response:
    form = await view.form()
    allow = form.get("allow_no_match") == "yes"
    _, refusal = await act(view, EXECUTE, id=_id(view), allowNoMatch=allow)
    return await _after(view, refusal, "executed")


async def extend(view: ConsoleView) -> Response:
    form = await view.form(REASON)
    months = int(_required(form, "months", frozenset({"1", "2"})))
    _, refusal = await act(view, EXTEND, id=_id(view), reason=form.get("reason", ""), months=months)
    return await _after(view, refusal, "extended")


async def move(view: ConsoleView) -> Response:
    """Verify, start, reject or cancel a request by hand (the last two need a reason)."""
    form = await view.form(REASON)
    status = _required(form, "status", ALL_MOVES)
    _, refusal = await act(
        view, SET_STATUS, id=_id(view), status=status, reason=form.get("reason") or None
    )
    return await _after(view, refusal, "moved")


async def notify_lift(view: ConsoleView) -> Response:
    _, refusal = await act(view, NOTIFY_LIFT, id=_id(view))
    return await _after(view, refusal, "notice_sent")


async def record_notified(view: ConsoleView) -> Response:
    _, refusal = await act(view, RECORD_NOTIFIED, id=_id(view))
    return await _after(view, refusal, "notified")


async def lift(view: ConsoleView) -> Response:
    _, refusal = await act(view, LIFT, id=_id(view))
    return await _after(view, refusal, "lifted")


async def export_link(view: ConsoleView) -> Response:
    """The officer's single-use download link, shown once on this page."""
    form = await view.form()
    export_format = _required(form, "format", EXPORT_FORMATS)
    link, refusal = await act(view, EXPORT_LINK, id=_id(view), format=export_format)
    if refusal is not None:
        return await show(view, refusal.status, refusal)
    return await show(view, export_link=link)


_BASE = "/privacy/requests/{id}"
_OFFICERS = access.PERSONAL_DATA_READERS


def _action(name: str, handler: Handler, free_text: frozenset[str] = frozenset()) -> ConsolePage:
    return ConsolePage(f"{_BASE}/{name}", handler, _OFFICERS, ("POST",), free_text)


PAGES = (
    ConsolePage(_BASE, request_page, _OFFICERS),
    _action("confirm", confirm, REASON),
    _action("execute", execute),
    _action("extend", extend, REASON),
    _action("status", move, REASON),
    _action("notify-lift", notify_lift),
    _action("notified", record_notified),
    _action("lift", lift),
    _action("export-link", export_link),
)
