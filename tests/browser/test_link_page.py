"""The survey-link page in a real browser with JavaScript turned off."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Browser, expect

from hub.models.common import Channel
from hub.models.response import Response
from hub.services import Services
from tests.factories import make_survey, person
from tests.support.browser import Servers


async def test_the_link_page_works_without_javascript(
    browser: Browser, servers: Servers, services: Services, artifacts: Path
) -> None:
    await make_survey(services, channels=[Channel.LINK])
    _, url = await services.links.create("nps-main", person(1), locale="nb-NO")
    assert url.startswith(servers.hub + "/s/")
    context = await browser.new_context(
        java_script_enabled=False, viewport={"width": 360, "height": 740}, locale="es-ES"
    )
    page = await context.new_page()

    await page.goto(url)
    # The survey has no Norwegian texts, so the page is in its default, English.
    await expect(page.get_by_role("heading")).to_have_text("How likely are you to recommend us?")
    await page.screenshot(path=str(artifacts / "link-page.png"), full_page=True)
    await page.get_by_role("button", name="Score 6", exact=True).click()
    await page.get_by_role("textbox", name="What is the main reason for your score?").fill(
        "Too many clicks"
    )
    await page.get_by_role("button", name="Send").click()
    await expect(page.get_by_role("status")).to_have_text("Thank you!")
    await page.screenshot(path=str(artifacts / "link-page-thanks.png"))
    await page.goto(url)
    await expect(page.get_by_role("status")).to_have_text("Thank you!")

    responses = await Response.find_all().to_list()
    assert [(r.score, r.comment, r.channel) for r in responses] == [
        (6, "Too many clicks", Channel.LINK)
    ]
    await context.close()


async def test_a_tampered_link_shows_a_clear_page_in_the_browser_language(
    browser: Browser, servers: Servers, services: Services
) -> None:
    await make_survey(services, channels=[Channel.LINK])
    _, url = await services.links.create("nps-main", person(1))
    context = await browser.new_context(java_script_enabled=False, locale="sv-SE")
    page = await context.new_page()

    response = await page.goto(url[:-4] + "AAAA")

    assert response is not None and response.status == 404
    await expect(page.get_by_role("heading")).to_have_text("Den här länken är inte giltig")
    assert await Response.find_all().count() == 0
    await context.close()
