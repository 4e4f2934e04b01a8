"""Live updates in Chromium: with the dashboard open as a viewer and the follow-ups
board open as an agent, a new answer changes the dashboard's figures and a claim by
another agent moves the board's card, both without reloading or leaving the page."""

from __future__ import annotations

from playwright.async_api import Browser, Frame, Page, expect

from hub.models.common import Role
from hub.models.followup import Actor
from tests.support.console_browser import ConsoleHub, ConsoleTab, open_signed_in_tab
from tests.support.waiting import eventually
from tests.support.widget import Widget, follow_up_of

# How long a page may take to show a change: a bound for a loaded machine, not a speed.
LIVE_MS = 20_000


def _navigations(page: Page) -> list[str]:
    """The addresses the page's main frame goes to from now on."""
    went: list[str] = []

    def on_navigated(frame: Frame) -> None:
        if frame == page.main_frame:
            went.append(frame.url)

    page.on("framenavigated", on_navigated)
    return went


async def test_new_answers_and_claims_show_without_a_reload(
    browser: Browser, console_hub: ConsoleHub
) -> None:
    services = console_hub.services
    widget = Widget(services)
    await widget.answer(9, comment=None)
    tabs: list[ConsoleTab] = []
    try:
        # Given the dashboard open as a viewer and the board open as an agent
        viewer = await open_signed_in_tab(browser, console_hub, Role.VIEWER)
        tabs.append(viewer)
        agent = await open_signed_in_tab(browser, console_hub, Role.AGENT)
        tabs.append(agent)
        dashboard, board = viewer.page, agent.page
        await dashboard.goto(console_hub.url + "/console/dashboard")
        await board.goto(console_hub.url + "/console/follow-ups")
        responses = dashboard.locator('[data-figure="responses"]')
        await expect(responses).to_have_text("1")
        # both pages listen (the viewer's to answers, the agent's to answers and claims)
        await eventually(
            lambda: (
                services.analytics.events.subscriber_count == 2
                and services.relay.changes.subscriber_count == 1
            )
        )
        dashboard_went, board_went = _navigations(dashboard), _navigations(board)

        # When someone answers with a comment: the dashboard counts it, the board shows
        # the follow-up it opened, as open
        follow_up = await follow_up_of(await widget.answer(2, "The export is broken"))
        await expect(responses).to_have_text("2", timeout=LIVE_MS)
        await expect(dashboard.locator('[data-figure="comments"]')).to_have_text(
            "1", timeout=LIVE_MS
        )
        card = f'a[href="/console/follow-ups/{follow_up.id}"]'
        open_column = board.locator("section.column").filter(has=board.locator("#column-open"))
        claimed_column = board.locator("section.column").filter(
            has=board.locator("#column-claimed")
        )
        await expect(open_column.locator(card)).to_be_visible(timeout=LIVE_MS)

        # When another agent claims it: the card moves to the claimed column
        await services.follow_ups.claim(str(follow_up.id), Actor(id="slack:U0BOB", name="Bob"))
        await expect(claimed_column.locator(card)).to_be_visible(timeout=LIVE_MS)
        await expect(claimed_column).to_contain_text("Claimed by Bob")
        await expect(open_column.locator(card)).to_have_count(0)

        # Then neither page was reloaded or left
        assert dashboard_went == [] and board_went == []
        assert dashboard.url == console_hub.url + "/console/dashboard"
        assert board.url == console_hub.url + "/console/follow-ups"
        for tab in tabs:
            tab.assert_well_behaved(allowed=(f"127.0.0.1:{console_hub.slack.port}",))
    finally:
        for tab in tabs:
            await tab.page.context.close()
