"""The follow-ups board in Chromium: an agent signed in with Slack opens a follow-up
that was posted to Slack and claims it with the keyboard alone; the page shows the
claim, the Slack message names the claimer, and the agent resolves it with a note."""

from __future__ import annotations

from playwright.async_api import Browser, expect

from hub.models.common import Role
from hub.models.followup import FollowUp, FollowUpStatus
from tests.support.console_browser import (
    ENGLISH,
    MEMBERS,
    ConsoleHub,
    check_console_page,
    open_signed_in_tab,
    tab_to,
)
from tests.support.widget import Widget, follow_up_of


async def _posted(hub: ConsoleHub) -> FollowUp:
    """A follow-up whose Slack message is in #CROUTED."""
    await hub.services.routing.set_defaults("CROUTED", None)
    follow_up = await follow_up_of(await Widget(hub.services).answer(3, "The export is broken"))
    await hub.services.dispatcher.run_once()
    assert len(hub.slack.channel_messages("CROUTED")) == 1
    return follow_up


async def test_an_agent_claims_from_the_board_with_the_keyboard_and_slack_follows(
    browser: Browser, console_hub: ConsoleHub
) -> None:
    # Given a follow-up posted to Slack and an agent signed in with Slack
    follow_up = await _posted(console_hub)
    tab = await open_signed_in_tab(browser, console_hub, Role.AGENT)
    page, address = tab.page, f"/console/follow-ups/{follow_up.id}"
    try:
        await check_console_page(tab, address, "follow-up")

        # When she opens it from the board and claims it, with the keyboard alone
        await page.goto(console_hub.url + "/console/follow-ups")
        await tab_to(page, page.locator(f'a[href="{address}"]'))
        await page.keyboard.press("Enter")
        await page.wait_for_url(console_hub.url + address)
        await tab_to(page, page.get_by_role("button", name=ENGLISH["board_claim"], exact=True))
        await page.keyboard.press("Space")

        # Then the page says the claim is hers
        await page.wait_for_url(f"{console_hub.url}{address}?done=claimed")
        await expect(page.locator("p.notice")).to_have_text(ENGLISH["board_done_claimed"])
        facts = page.locator("dl.facts")
        await expect(facts).to_contain_text(ENGLISH["board_column_claimed"])
        await expect(facts).to_contain_text(f"Ana Agent ({ENGLISH['board_you']})")
        await expect(
            page.get_by_role("button", name=ENGLISH["board_unclaim"], exact=True)
        ).to_be_visible()

        # And the Slack message names her
        await console_hub.services.dispatcher.run_once()
        [update] = console_hub.slack.calls_to("chat.update")
        user_id, _ = MEMBERS[Role.AGENT]
        assert update.args["channel"] == "CROUTED"
        assert f"Claimed by <@{user_id}>" in str(update.args["blocks"])

        # When she resolves it with a note, the customer informed
        await page.get_by_label(ENGLISH["board_note"], exact=True).fill("Called them; fixed.")
        await page.get_by_label(ENGLISH["board_customer_informed"]).check()
        await page.get_by_role("button", name=ENGLISH["board_resolve"], exact=True).click()

        # Then the page shows the resolution, and so does the follow-up
        await page.wait_for_url(f"{console_hub.url}{address}?done=resolved")
        await expect(page.locator("p.notice")).to_have_text(ENGLISH["board_done_resolved"])
        await expect(page.locator("blockquote.comment").last).to_have_text("Called them; fixed.")
        await expect(facts).to_contain_text(ENGLISH["board_yes"])
        resolved = await FollowUp.get(follow_up.id)
        assert resolved is not None and resolved.status is FollowUpStatus.RESOLVED
        assert resolved.resolution is not None and resolved.resolution.customer_informed
        tab.assert_well_behaved()
    finally:
        await page.context.close()
