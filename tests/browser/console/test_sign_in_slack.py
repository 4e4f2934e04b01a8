"""Signing in to the console with Slack in Chromium, as each role: the console opens
with the sections of the role only, the privacy desk stays shut to a viewer, signing
out ends it, and every page on the way is accessible, within its CSP and the hub's
origin, light, narrow-screen safe and in the browser's language."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, expect

from hub.models.common import Role
from hub.models.privacy import RightsRequestType
from hub.web.console import strings
from tests.support.console_browser import (
    NARROW,
    PAGE_BUDGET_BYTES,
    ConsoleHub,
    ConsoleTab,
    assert_axe_clean,
    open_tab,
    page_weight,
    save_screenshot,
    scrolls_sideways,
    sign_in_as,
)
from tests.support.console_privacy import officer_request
from tests.support.waiting import eventually

EN = strings.text("en")
# The navigation each role sees, in order.
SECTIONS = {
    Role.VIEWER: ["nav_dashboard", "nav_responses", "nav_surveys"],
    Role.AGENT: ["nav_dashboard", "nav_responses", "nav_follow_ups", "nav_surveys"],
    Role.PRIVACY_OFFICER: ["nav_dashboard", "nav_responses", "nav_surveys", "nav_privacy"],
    Role.ADMIN: [
        "nav_dashboard",
        "nav_responses",
        "nav_follow_ups",
        "nav_surveys",
        "nav_privacy",
        "nav_members",
    ],
}


def slack_origin(tab: ConsoleTab) -> tuple[str]:
    """The one other origin a Slack sign-in visits: Slack's authorization page."""
    return (f"127.0.0.1:{tab.hub.slack.port}",)


@pytest.mark.parametrize("role", list(SECTIONS))
async def test_each_role_signs_in_with_slack_and_sees_its_sections(
    tab: ConsoleTab, role: Role
) -> None:
    name = await sign_in_as(tab, role)

    page = tab.page
    assert page.url == tab.hub.url + "/console/dashboard"
    nav = page.get_by_role("navigation", name=EN["nav_label"])
    assert await nav.get_by_role("link").all_inner_texts() == [EN[key] for key in SECTIONS[role]]
    await expect(nav.get_by_role("link", name=EN["nav_dashboard"])).to_have_attribute(
        "aria-current", "page"
    )
    role_name = EN[f"role_{role.value}"]
    await expect(page.locator(".who")).to_have_text(f"Signed in as {name} ({role_name})")
    tab.assert_well_behaved(allowed=slack_origin(tab))


async def test_a_viewer_cannot_reach_the_privacy_desk(tab: ConsoleTab) -> None:
    # A request the desk would list
    request_id = await officer_request(tab.hub.services, RightsRequestType.ACCESS, "c@example.com")
    await sign_in_as(tab, Role.VIEWER)
    for inside in (f"/console/privacy/requests/{request_id}", "/console/privacy/audit"):
        refused = await tab.page.goto(tab.hub.url + inside)
        assert refused is not None and refused.status == 403, inside

    answer = await tab.page.goto(tab.hub.url + "/console/privacy")

    # The console's 403 page in its frame: not the desk, and a page saying so
    assert answer is not None and answer.status == 403
    page = tab.page
    await expect(page.get_by_role("heading", level=1)).to_have_text(EN["forbidden_title"])
    await expect(page.get_by_role("main")).to_contain_text(EN["forbidden_body"])
    for desk in ("privacy_desk", "privacy_queue_title", "privacy_tab_audit", "privacy_queue_count"):
        await expect(page.get_by_text(EN[desk].split("{")[0].strip())).to_have_count(0)
    await expect(page.locator('a[href^="/console/privacy/"]')).to_have_count(0)
    await expect(page.locator("table")).to_have_count(0)
    nav = page.get_by_role("navigation", name=EN["nav_label"])
    await expect(nav.get_by_role("link", name=EN["nav_privacy"])).to_have_count(0)
    await expect(nav.get_by_role("link", name=EN["nav_dashboard"])).to_be_visible()
    await assert_axe_clean(tab.page)
    tab.assert_well_behaved(allowed=slack_origin(tab))


async def test_signing_out_ends_the_session(tab: ConsoleTab) -> None:
    await sign_in_as(tab, Role.AGENT)
    page = tab.page

    await page.get_by_role("button", name="Sign out").click()

    await expect(page.get_by_role("status")).to_have_text(EN["signed_out"])
    assert page.url.startswith(tab.hub.url + "/console/sign-in")
    await page.goto(tab.hub.url + "/console")
    await expect(page.get_by_role("status")).to_have_text(EN["session_expired"])
    await expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    tab.assert_well_behaved(allowed=slack_origin(tab))


async def test_the_sign_in_and_error_pages_pass_axe(tab: ConsoleTab) -> None:
    page, hub = tab.page, tab.hub
    await page.goto(hub.url + "/console/sign-in")
    await assert_axe_clean(page)
    await save_screenshot(page, "sign-in-slack")

    # Slack declines: back on the sign-in page, which says so.
    hub.slack.sign_in.person = None
    await page.get_by_role("link", name="Sign in with Slack").click()
    await expect(page.get_by_role("alert")).to_have_text(EN["slack_refused"])
    await assert_axe_clean(page)
    await save_screenshot(page, "sign-in-refused")

    # The console's own error page, in its frame.
    await sign_in_as(tab, Role.VIEWER)
    answer = await page.goto(hub.url + "/console/no-such-page")
    assert answer is not None and answer.status == 404
    await assert_axe_clean(page)
    await save_screenshot(page, "error-not-found")

    # A form whose CSRF token is not the session's: refused, with a page saying so.
    await page.locator("form.sign-out input[name=csrf]").evaluate("input => input.value = 'x'")
    await page.get_by_role("button", name=EN["sign_out"]).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(EN["bad_request_title"])
    await expect(page.get_by_role("button", name=EN["sign_out"])).to_be_visible()
    await assert_axe_clean(page)
    await save_screenshot(page, "error-csrf")
    tab.assert_well_behaved(allowed=slack_origin(tab))


async def test_a_button_without_a_name_is_caught_by_axe(tab: ConsoleTab) -> None:
    await tab.page.goto(tab.hub.url + "/console/sign-in")
    await assert_axe_clean(tab.page)

    await tab.page.evaluate(
        "() => document.querySelector('main').append(document.createElement('button'))"
    )

    with pytest.raises(AssertionError, match="button-name"):
        await assert_axe_clean(tab.page)


async def test_the_csp_is_enforced_and_its_violations_are_caught(tab: ConsoleTab) -> None:
    page = tab.page
    await page.goto(tab.hub.url + "/console/sign-in")
    tab.assert_well_behaved()

    # An inline script, as an injected page would add: blocked, and the test hears it.
    await page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.ran = true'; document.body.append(s); }"
    )
    await eventually(lambda: len(tab.csp_violations) == 1, within=5.0)
    assert tab.csp_violations[0].startswith("script-src-elem blocked inline")
    assert await page.evaluate("window.ran === undefined")


async def test_the_sign_in_page_is_light(tab: ConsoleTab) -> None:
    weight = await page_weight(tab.page, tab.hub.url + "/console/sign-in")

    assert 0 < weight < PAGE_BUDGET_BYTES
    tab.assert_well_behaved()


async def test_the_sign_in_page_fits_320_pixels(tab: ConsoleTab) -> None:
    await tab.page.set_viewport_size(NARROW)

    await tab.page.goto(tab.hub.url + "/console/sign-in")

    assert not await scrolls_sideways(tab.page)
    await save_screenshot(tab.page, "sign-in-320px")


async def test_a_norwegian_browser_gets_the_norwegian_sign_in_page(
    browser: Browser, console_hub: ConsoleHub
) -> None:
    norwegian = strings.text("nb")
    context = await browser.new_context(locale="nb-NO")
    try:
        tab = await open_tab(context, console_hub)
        await tab.page.goto(console_hub.url + "/console/sign-in")

        assert await tab.page.locator("html").get_attribute("lang") == "nb"
        await expect(tab.page.get_by_role("heading", level=1)).to_have_text(
            norwegian["sign_in_title"]
        )
        await expect(tab.page.get_by_role("link", name=norwegian["sign_in_slack"])).to_be_visible()
        assert norwegian["sign_in_title"] != EN["sign_in_title"]
        await assert_axe_clean(tab.page)
        tab.assert_well_behaved()
    finally:
        await context.close()
