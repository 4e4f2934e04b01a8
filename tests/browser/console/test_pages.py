"""Every console page, signed in with the role that uses it, on the demo's data: it
answers, passes axe-core, keeps to its CSP and the hub's origin, stays under the page
budget, fits 320 px, and leaves screenshots in tests/artifacts/console/ for review.

A new page is one line in SCREENS. One hub and one demo load serve them all, and one
signed-in browser profile per role, so each page costs its own checks only. Pages about
one seeded thing (a follow-up, a rights request) are checked the same way inside the
journeys that make it (check_console_page in test_follow_ups_board.py and
test_privacy_desk.py)."""

from __future__ import annotations

from dataclasses import dataclass

from playwright.async_api import Browser

from hub.models.common import Role
from tests.support.console_browser import (
    ConsoleHub,
    ConsoleTab,
    check_console_page,
    open_signed_in_tab,
)


@dataclass(frozen=True)
class Screen:
    name: str  # the screenshots' file name
    path: str
    role: Role
    status: int = 200


SCREENS = (
    # The console's own 404 page in its frame, with the navigation of the fewest and of
    # the most sections.
    Screen("error-not-found-viewer", "/console/no-such-page", Role.VIEWER, 404),
    Screen("error-not-found-admin", "/console/no-such-page", Role.ADMIN, 404),
    Screen("dashboard", "/console/dashboard", Role.VIEWER),
    Screen("responses", "/console/responses", Role.VIEWER),
    Screen("responses-admin", "/console/responses", Role.ADMIN),
    Screen("follow-ups", "/console/follow-ups", Role.AGENT),
    Screen("surveys", "/console/surveys", Role.VIEWER),
    Screen("survey", "/console/surveys/nps-accounting", Role.ADMIN),
    Screen("survey-new", "/console/surveys/new", Role.ADMIN),
    Screen("members", "/console/members", Role.ADMIN),
    Screen("privacy-desk", "/console/privacy", Role.PRIVACY_OFFICER),
    Screen("privacy-audit", "/console/privacy/audit", Role.PRIVACY_OFFICER),
    Screen("privacy-retention", "/console/privacy/retention", Role.PRIVACY_OFFICER),
)


async def test_every_page_is_accessible_light_and_narrow_screen_safe(
    browser: Browser, console_hub: ConsoleHub, demo_data: None
) -> None:
    tabs: dict[Role, ConsoleTab] = {}
    problems: dict[str, str] = {}
    try:
        for screen in SCREENS:
            if screen.role not in tabs:
                tabs[screen.role] = await open_signed_in_tab(browser, console_hub, screen.role)
            try:
                await check_console_page(tabs[screen.role], screen.path, screen.name, screen.status)
            except AssertionError as failed:
                problems[screen.name] = str(failed)
    finally:
        for tab in tabs.values():
            await tab.page.context.close()

    assert problems == {}
