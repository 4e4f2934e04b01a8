"""A hub without Slack sign-in: the API-key form in Chromium, used by keyboard alone
with the focus always visible, and its refusal and error pages accessible."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from hub.models.common import Role
from hub.web.console import strings
from tests.support.console_browser import (
    ConsoleTab,
    assert_axe_clean,
    has_visible_focus,
    save_screenshot,
)

EN = strings.text("en")


@pytest.fixture
def slack_sign_in() -> bool:
    return False


async def test_a_key_signs_in_by_keyboard_alone_with_visible_focus(tab: ConsoleTab) -> None:
    _, token = await tab.hub.services.keys.create(Role.AGENT, "Ana's key")
    page = tab.page
    await page.goto(tab.hub.url + "/console/sign-in")

    # Tab: the skip link first, then the key's field.
    await page.keyboard.press("Tab")
    await expect(page.get_by_role("link", name=EN["skip_to_content"])).to_be_focused()
    assert await has_visible_focus(page)
    await page.keyboard.press("Tab")
    await expect(page.get_by_label(EN["api_key"])).to_be_focused()
    assert await has_visible_focus(page)
    await page.keyboard.type(token)
    await page.keyboard.press("Tab")
    await expect(page.get_by_role("button", name=EN["sign_in"])).to_be_focused()
    assert await has_visible_focus(page)
    await page.keyboard.press("Enter")

    await expect(page.get_by_role("button", name=EN["sign_out"])).to_be_visible()
    assert page.url == tab.hub.url + "/console/dashboard"
    await expect(page.locator(".who")).to_contain_text("Ana's key")
    tab.assert_well_behaved()


async def test_enter_in_the_key_field_signs_in(tab: ConsoleTab) -> None:
    _, token = await tab.hub.services.keys.create(Role.VIEWER, "Vera's key")
    page = tab.page
    await page.goto(tab.hub.url + "/console/sign-in")
    await page.get_by_label(EN["api_key"]).focus()

    await page.keyboard.type(token)
    await page.keyboard.press("Enter")

    await expect(page.get_by_role("button", name=EN["sign_out"])).to_be_visible()
    tab.assert_well_behaved()


async def test_the_key_form_and_its_refusal_pass_axe(tab: ConsoleTab) -> None:
    page = tab.page
    await page.goto(tab.hub.url + "/console/sign-in")
    await assert_axe_clean(page)
    await save_screenshot(page, "sign-in-key")

    await page.get_by_label(EN["api_key"]).fill("fh_not-a-key")
    await page.get_by_role("button", name=EN["sign_in"]).click()

    await expect(page.get_by_role("alert")).to_have_text(EN["key_refused"])
    await assert_axe_clean(page)
    await save_screenshot(page, "sign-in-key-refused")
    # Slack sign-in is off here: its address is the console's 404 page.
    answer = await page.goto(tab.hub.url + "/console/sign-in/slack")
    assert answer is not None and answer.status == 404
    await expect(page.get_by_role("heading", level=1)).to_have_text(EN["not_found_title"])
    await assert_axe_clean(page)
    tab.assert_well_behaved()
