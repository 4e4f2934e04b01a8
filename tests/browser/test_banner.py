"""The banner in a real browser, embedded in a host page on another origin."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Browser, expect

from hub.models.activity import Display, Person
from hub.models.common import Channel
from hub.models.response import Response
from hub.models.suppression import SuppressionReason
from hub.services import Services
from tests.factories import make_survey
from tests.support.browser import PHONE, OpenHost, Servers
from tests.support.waiting import eventually


async def test_an_eligible_person_scores_and_comments(
    open_host: OpenHost, servers: Servers, services: Services, artifacts: Path
) -> None:
    await make_survey(services)
    host = await open_host(servers.host + "/?user=user-1&locale=es")
    page = host.page

    banner = page.get_by_role("dialog")
    await expect(banner).to_be_visible()
    await expect(banner).to_contain_text("¿Qué probabilidad hay de que nos recomiendes?")
    await page.screenshot(path=str(artifacts / "banner.png"))
    scale = page.get_by_role("group", name="¿Qué probabilidad hay de que nos recomiendes?")
    await expect(scale).to_have_accessible_description("Nada probable Muy probable")
    box = await banner.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    for score in range(11):
        button = page.get_by_role("button", name=f"Puntuación {score}", exact=True)
        assert await button.is_visible()
        score_box = await button.bounding_box()
        assert score_box is not None and score_box["x"] + score_box["width"] <= PHONE["width"]

    await page.get_by_role("button", name="Puntuación 9", exact=True).click()
    comment = page.get_by_role(
        "textbox", name="¿Cuál es el motivo principal de tu puntuación?", exact=True
    )
    await expect(comment).to_be_focused()
    await comment.fill("Muy rápido")
    await page.get_by_role("button", name="Enviar").click()
    await expect(page.get_by_role("status")).to_have_text("¡Gracias!")
    await page.screenshot(path=str(artifacts / "banner-thanks.png"))

    response = await Response.find_one()
    assert response is not None
    assert (response.score, response.comment) == (9, "Muy rápido")
    assert (response.channel, response.locale) == (Channel.IN_APP_WEB, "es")
    assert response.customer.company == "Acme AS"
    assert response.url == servers.host + "/?user=user-1&locale=es"
    person = await Person.find_one(Person.user_id == "user-1")
    assert person is not None and person.login_count == 1  # identify() counts the login
    assert all(url.startswith((servers.hub, servers.host)) for url in host.requests), host.requests
    assert host.errors == []


async def test_identify_after_the_script_has_loaded_works_too(
    open_host: OpenHost, servers: Servers, services: Services
) -> None:
    await make_survey(services)

    host = await open_host(servers.host + "/?user=user-1&late=1")
    page = host.page

    await expect(page.get_by_role("dialog")).to_contain_text("How likely are you to recommend us?")
    assert host.errors == []


async def test_the_host_page_styles_are_untouched(
    open_host: OpenHost, servers: Servers, services: Services
) -> None:
    await make_survey(services)
    host = await open_host(servers.host + "/?user=user-1")
    page = host.page
    await expect(page.get_by_role("dialog")).to_be_visible()

    styles = await page.evaluate(
        """() => {
            const button = getComputedStyle(document.getElementById('host-button'));
            const text = getComputedStyle(document.getElementById('host-text'));
            return [button.backgroundColor, button.fontSize, text.color, text.marginTop,
                    getComputedStyle(document.body).fontFamily];
        }"""
    )
    banner_button = page.get_by_role("button", name="Score 9", exact=True)
    banner = await banner_button.evaluate(
        "b => [getComputedStyle(b).backgroundColor, getComputedStyle(b).fontSize]"
    )

    assert styles == ["rgb(255, 0, 0)", "30px", "rgb(0, 128, 0)", "40px", "serif"]
    assert banner == ["rgb(255, 255, 255)", "15px"]
    # The banner's styles live in its shadow root; the document has only the host's.
    assert await page.evaluate("document.querySelectorAll('style, link').length") == 1


async def test_an_ineligible_person_sees_nothing(
    browser: Browser, servers: Servers, services: Services
) -> None:
    await make_survey(services)
    await services.suppressions.suppress(SuppressionReason.OBJECTION, user_id="user-2")
    context = await browser.new_context(viewport=PHONE)
    try:
        page = await context.new_page()
        async with page.expect_response(
            lambda r: (
                r.url.endswith("/graphql") and "WidgetEligibility" in (r.request.post_data or "")
            )
        ) as answered:
            await page.goto(servers.host + "/?user=user-2")
        eligibility = (await (await answered.value).json())["data"]["surveyEligibility"]
        assert eligibility["eligible"] is False
        await page.wait_for_timeout(300)

        assert await page.get_by_role("dialog").count() == 0
    finally:
        await context.close()
    assert await Display.find_all().count() == 0


async def test_closing_with_the_keyboard_records_a_decline(
    open_host: OpenHost, servers: Servers, services: Services
) -> None:
    await make_survey(services)
    host = await open_host(servers.host + "/?user=user-1")
    page = host.page
    await expect(page.get_by_role("dialog")).to_be_visible()

    await page.get_by_role("button", name="Close").focus()
    await page.keyboard.press("Enter")

    await expect(page.get_by_role("dialog")).to_have_count(0)

    async def declined() -> bool:
        display = await Display.find_one()
        return display is not None and display.declined_at is not None

    await eventually(declined, within=5.0)
    assert await Response.find_all().count() == 0
    assert host.errors == []


async def test_escape_closes_the_banner(
    open_host: OpenHost, servers: Servers, services: Services
) -> None:
    await make_survey(services)
    host = await open_host(servers.host + "/?user=user-1")
    page = host.page
    await page.get_by_role("button", name="Score 4", exact=True).focus()

    await page.keyboard.press("Escape")

    await expect(page.get_by_role("dialog")).to_have_count(0)


async def test_a_hub_that_cannot_be_reached_shows_nothing_and_raises_nothing(
    open_host: OpenHost, servers: Servers, services: Services
) -> None:
    await make_survey(services)
    unreachable = "http://127.0.0.1:9/graphql"

    host = await open_host(servers.host + f"/?user=user-1&endpoint={unreachable}")
    page = host.page
    await page.wait_for_timeout(500)

    assert await page.get_by_role("dialog").count() == 0
    assert host.errors == []
    assert await page.evaluate("typeof window.feedbackHub.identify") == "function"


async def test_a_refused_token_shows_nothing_and_raises_nothing(
    open_host: OpenHost, servers: Servers, services: Services
) -> None:
    await make_survey(services)
    host = await open_host(servers.host + "/?user=user-1&token=fh_revoked")
    page = host.page
    await page.wait_for_timeout(500)

    assert await page.get_by_role("dialog").count() == 0
    assert host.errors == []
    assert await Display.find_all().count() == 0


async def test_closing_after_a_score_keeps_the_score_and_declines_nothing(
    open_host: OpenHost, servers: Servers, services: Services
) -> None:
    await make_survey(services)
    host = await open_host(servers.host + "/?user=user-1")
    page = host.page

    await page.get_by_role("button", name="Score 3", exact=True).click()
    await expect(
        page.get_by_role("textbox", name="What is the main reason for your score?")
    ).to_be_focused()
    await page.keyboard.press("Escape")

    await expect(page.get_by_role("dialog")).to_have_count(0)
    response = await Response.find_one()
    assert response is not None and (response.score, response.comment) == (3, None)
    await page.wait_for_timeout(200)
    display = await Display.find_one()
    assert display is not None and display.declined_at is None
    assert host.errors == []
