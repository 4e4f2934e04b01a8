"""/console/privacy/audit and /console/privacy/retention: the audit log a page at a
time with the check of its hash chain, and retention — the runs so far, a dry run
(what a run would change, per collection) and, for admins, the run itself behind a
confirmation."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from starlette.responses import Response

from hub.errors import ErrorCode, ValidationFailed
from hub.models.common import Role
from hub.services.access import roles as access
from hub.web.console.privacy_api import AUDIT, RETENTION, VERIFY, Refusal, act, ask
from hub.web.console.view import ConsolePage, ConsoleView

AUDIT_PAGE_SIZE = 50
RUNS_SHOWN = 10
_MAX_CURSOR = 500
# A retention report's counts, in the order the page lists them.
RETENTION_COUNTS = (
    "responsesAnonymised",
    "followUpsAnonymised",
    "displaysAnonymised",
    "displaysDeleted",
    "linksDeleted",
    "loginsDeleted",
    "peopleDeleted",
    "contactStatesDeleted",
    "outboxCleared",
    "outboxDeleted",
    "rightsRequestsAnonymised",
)
RUNS = """
query Runs($first: Int!) {
  auditLog(action: "retention.run", first: $first) {
    edges { node { seq at details actor { label role } } }
  }
}"""


def _after(view: ConsoleView) -> str | None:
    after = view.request.query_params.get("after") or None
    if after is not None and (len(after) > _MAX_CURSOR or not after.isprintable()):
        raise ValidationFailed(ErrorCode.INVALID_INPUT, "The cursor is not valid.", "after")
    return after


def _details(text: str) -> dict[str, Any]:
    try:
        found = json.loads(text)
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


async def audit(view: ConsoleView) -> Response:
    after = _after(view)
    verify = view.request.query_params.get("verify")
    if verify not in (None, "1"):
        raise ValidationFailed(ErrorCode.INVALID_INPUT, "Unknown action.", "verify")
    found = (await ask(view, AUDIT, first=AUDIT_PAGE_SIZE, after=after))["auditLog"]
    verification = (await ask(view, VERIFY))["verifyAuditLog"] if verify else None
    page_info = found["pageInfo"]
    next_page = (
        f"/console/privacy/audit?{urlencode({'after': page_info['endCursor']})}"
        if page_info["hasNextPage"]
        else None
    )
    entries = [
        {**edge["node"], "facts": _details(edge["node"]["details"])} for edge in found["edges"]
    ]
    return view.render(
        "console/privacy_audit.html",
        entries=entries,
        total=found["totalCount"],
        verification=verification,
        next_page=next_page,
        first_page="/console/privacy/audit" if after else None,
    )


async def _retention_page(
    view: ConsoleView,
    status: int = 200,
    report: dict[str, Any] | None = None,
    refusal: Refusal | None = None,
) -> Response:
    runs = (await ask(view, RUNS, first=RUNS_SHOWN))["auditLog"]["edges"]
    return view.render(
        "console/privacy_retention.html",
        status=status,
        runs=[{**edge["node"], "facts": _details(edge["node"]["details"])} for edge in runs],
        report=report,
        counts=RETENTION_COUNTS,
        may_run=view.role is Role.ADMIN,
        refusal=refusal,
    )


async def retention(view: ConsoleView) -> Response:
    return await _retention_page(view)


async def dry_run(view: ConsoleView) -> Response:
    report, refusal = await act(view, RETENTION, dryRun=True)
    if refusal is not None:
        return await _retention_page(view, refusal.status, refusal=refusal)
    return await _retention_page(view, report=report)


async def real_run(view: ConsoleView) -> Response:
    """Admins only, and only with the confirmation box ticked: it changes data."""
    form = await view.form()
    if form.get("confirm") != "yes":
        raise ValidationFailed(
            ErrorCode.INVALID_INPUT, "Tick the box to confirm the retention run.", "confirm"
        )
    report, refusal = await act(view, RETENTION, dryRun=False)
    if refusal is not None:
        return await _retention_page(view, refusal.status, refusal=refusal)
    return await _retention_page(view, report=report)


_OFFICERS = access.PERSONAL_DATA_READERS

PAGES = (
    ConsolePage("/privacy/audit", audit, _OFFICERS),
    ConsolePage("/privacy/retention", retention, _OFFICERS),
    ConsolePage("/privacy/retention/dry-run", dry_run, _OFFICERS, ("POST",)),
    ConsolePage("/privacy/retention/run", real_run, frozenset({Role.ADMIN}), ("POST",)),
)
