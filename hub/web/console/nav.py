"""The console's sections, in navigation order, and who sees each."""

from __future__ import annotations

from dataclasses import dataclass

from hub.models.common import Role
from hub.services.access import roles as access


@dataclass(frozen=True)
class Section:
    label: str  # a string key
    path: str
    roles: frozenset[Role]


SECTIONS = (
    Section("nav_dashboard", "/console/dashboard", access.READERS),
    Section("nav_responses", "/console/responses", access.READERS),
    Section("nav_follow_ups", "/console/follow-ups", access.FOLLOW_UP_HANDLERS),
    Section("nav_surveys", "/console/surveys", access.READERS),
    Section("nav_privacy", "/console/privacy", access.PERSONAL_DATA_READERS),
    Section("nav_members", "/console/members", access.ADMINS),  # strings/members.py
)


def sections_for(role: Role) -> list[Section]:
    return [section for section in SECTIONS if role in section.roles]
