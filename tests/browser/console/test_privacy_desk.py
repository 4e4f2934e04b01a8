"""The privacy desk in Chromium: a privacy officer signed in with Slack runs an access
request end to end (confirms the claimed identity, executes, creates the export link)
and downloads the person's data, once."""

from __future__ import annotations

import json

from playwright.async_api import Browser, expect

from hub.models.common import Role
from hub.models.privacy import RightsRequestStatus, RightsRequestType
from tests.support.console_browser import (
    ENGLISH,
    ConsoleHub,
    check_console_page,
    open_signed_in_tab,
)
from tests.support.console_privacy import ANNA, BJORN, answered, given_a_survey, public_request


async def test_an_officer_answers_an_access_request_and_downloads_the_export_once(
    browser: Browser, console_hub: ConsoleHub
) -> None:
    # Given Anna and Björn answered, and Anna asked for her data through the public
    # form with her address (verified by the link) and her user id (only claimed)
    services = console_hub.services
    await given_a_survey(services)
    await answered(services, ANNA, "Invoices load slowly")
    await answered(services, BJORN, "Fine by me")
    request_id = await public_request(services, RightsRequestType.ACCESS, ANNA.email or "", ANNA.id)
    tab = await open_signed_in_tab(browser, console_hub, Role.PRIVACY_OFFICER)
    page, address = tab.page, f"/console/privacy/requests/{request_id}"
    try:
        # When the officer opens the request from the desk
        await page.goto(console_hub.url + "/console/privacy")
        await page.locator(f'a[href="{address}"]').click()
        await page.wait_for_url(console_hub.url + address)
        await check_console_page(tab, address, "privacy-request")

        # And confirms the claimed user id
        await page.get_by_label(ENGLISH["privacy_confirm_reason"]).fill("Confirmed by phone.")
        await page.get_by_role(
            "button", name=f"{ENGLISH['privacy_confirm_button']} {ANNA.id}"
        ).click()
        await expect(page.locator("p.notice")).to_have_text(ENGLISH["privacy_notice_confirmed"])

        # And executes it: the page reports what it did
        await page.get_by_role("button", name=ENGLISH["privacy_execute_button"]).click()
        await expect(page.locator("p.notice")).to_have_text(ENGLISH["privacy_notice_executed"])
        outcome = page.get_by_role("region", name=ENGLISH["privacy_outcome"])
        await expect(outcome.get_by_role("rowheader", name="responses")).to_be_visible()

        # And creates the export link
        await page.get_by_role("button", name=ENGLISH["privacy_export_button"]).click()
        await expect(
            page.get_by_role("heading", name=ENGLISH["privacy_link_title"])
        ).to_be_visible()
        link = page.get_by_role("link", name=ENGLISH["privacy_link_download"])
        assert (await link.get_attribute("href") or "").startswith(console_hub.url + "/exports/")

        # Then the link downloads Anna's data, and none of Björn's
        async with page.expect_download() as started:
            await link.click()
        download = await started.value
        assert download.suggested_filename == f"access-{request_id}.json"
        export = json.dumps(json.loads((await download.path()).read_text(encoding="utf-8")))
        assert "Invoices load slowly" in export and "Fine by me" not in export

        # And a second click is refused
        async with page.expect_navigation() as refused:
            await link.click()
        answer = await refused.value
        assert answer is not None and answer.status in (404, 410)
        assert "Invoices load slowly" not in await page.content()
        request = await services.rights.get(request_id)
        assert request.status is RightsRequestStatus.COMPLETED
        tab.assert_well_behaved()
    finally:
        await page.context.close()
