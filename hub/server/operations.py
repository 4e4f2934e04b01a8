"""The GraphQL operations counted by name in `/metrics`: the ones the hub's own clients
send, and the names the docs suggest to integrations. Any caller may name an
operation anything, so a name outside this list is counted as `other` and an unnamed
operation as `anonymous`: the series in `/metrics` stay a fixed set, whatever
strangers send. (Logs keep the name the caller gave.)"""

from __future__ import annotations

from hub.web.persisted import WIDGET_DOCUMENTS

# widget.js (hub/static/widget.js): every call the banner makes.
WIDGET_OPERATIONS = frozenset(WIDGET_DOCUMENTS)

# Names docs/security.md suggests to dashboards and integrations.
DOCUMENTED_OPERATIONS = frozenset(
    {
        "ListSurveys",
        "Responses",
        "SurveyAnalytics",
        "FollowUps",
        "ClaimFollowUp",
        "ResolveFollowUp",
    }
)

KNOWN_OPERATIONS = WIDGET_OPERATIONS | DOCUMENTED_OPERATIONS

ANONYMOUS = "anonymous"
OTHER = "other"


def operation_label(name: str | None) -> str:
    """The `operation` label of a GraphQL request: its name if it is a known one."""
    if not name or name == ANONYMOUS:  # what OperationFacts records for an unnamed one
        return ANONYMOUS
    return name if name in KNOWN_OPERATIONS else OTHER
