"""Who may see what: the roles of DESIGN.md as functions the API layer calls."""

from __future__ import annotations

from hub.models.common import Role

READERS = frozenset({Role.VIEWER, Role.AGENT, Role.PRIVACY_OFFICER, Role.ADMIN})
WIDGET_CALLERS = frozenset({Role.WIDGET, Role.ADMIN})
ADMINS = frozenset({Role.ADMIN})
PERSONAL_DATA_READERS = frozenset({Role.PRIVACY_OFFICER, Role.ADMIN})
FOLLOW_UP_HANDLERS = frozenset({Role.AGENT, Role.ADMIN})


def may_see_personal_data(role: Role) -> bool:
    """Viewers and agents see email, username and user id masked."""
    return role in PERSONAL_DATA_READERS
