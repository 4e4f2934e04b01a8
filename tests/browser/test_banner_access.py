"""The banner for everyone: announced without taking focus, closed by Escape from
anywhere, valid labels at every step, usable by keyboard alone and at 320 px, free of
axe-core violations, and able to say in the console why it did not show."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Locator, Page, expect

from hub.models.activity import Display
from hub.models.response import Response
from hub.models.suppression import SuppressionReason
from hub.services import Services
from tests.factories import make_survey
from tests.support.browser import OpenHost, Servers
from tests.support.waiting import eventually

QUESTION = "How likely are you to recommend us?"
FOLLOW_UP = "What is the main reason for your score?"
ANNOUNCEMENT = "A short survey opened at the bottom of the page. Escape closes it."
NARROW = {"width": 320, "height": 640}
# Installed by `make test` (npm ci --prefix tests/browser) from tests/browser/package-lock.json.
AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"

# Every id that an aria-labelledby, aria-describedby or label[for] in the banner
# names, and that its shadow root does not have.
DANGLING_IDS = """host => {
  const root = host.shadowRoot, missing = [];
  for (const node of root.querySelectorAll('[aria-labelledby], [aria-describedby]')) {
    for (const name of ['aria-labelledby', 'aria-describedby']) {
      for (const id of (node.getAttribute(name) || '').split(/\\s+/).filter(Boolean)) {
        if (!root.getElementById(id)) missing.push(name + '=' + id);
      }
    }
  }
  for (const label of root.querySelectorAll('label[for]')) {
    if (!root.getElementById(label.htmlFor)) missing.push('for=' + label.htmlFor);
  }
  return missing;
}"""
# The focused element, looking into the banner's shadow root: "#id" or its aria-label.
FOCUSED = """() => {
  let node = document.activeElement;
  while (node && node.shadowRoot && node.shadowRoot.activeElement) {
    node = node.shadowRoot.activeElement;
  }
  if (!node || node === document.body) return null;
  return node.id ? '#' + node.id : node.getAttribute('aria-label') || node.textContent;
}"""
AXE_RUN = """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
  .map(v => `${v.id} (${v.impact}): ${v.nodes.map(n => JSON.stringify(n.target)).join(', ')}`)"""


def banner(page: Page) -> Locator:
    return page.get_by_role("dialog")


def live_region(page: Page) -> Locator:
    return page.locator("[data-feedback-hub] [aria-live=polite]")


async def dangling_ids(page: Page) -> list[str]:
    missing: list[str] = await page.locator("[data-feedback-hub]").evaluate(DANGLING_IDS)
    return missing


async def axe_violations(page: Page) -> list[str]:
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `npm ci --prefix tests/browser` (make test does)")
    if await page.evaluate("typeof window.axe") == "undefined":
        await page.add_script_tag(path=str(AXE))
    violations: list[str] = await page.evaluate(AXE_RUN)
    return violations


async def declined() -> bool:
    display = await Display.find_one()
    return display is not None and display.declined_at is not None


async def test_the_banner_is_announced_and_leaves_focus_where_it_was(
    open_host: OpenHost, servers: Servers, services: Services
) -> None:
    await make_survey(services)

    host = await open_host(servers.host + "/?user=user-1")
    page = host.page
    await page.keyboard.type("Paid in March")

    dialog = page.get_by_role("dialog", name=QUESTION)
    await expect(dialog).to_be_visible()
    assert await dialog.get_attribute("aria-modal") == "false"
    assert await dialog.get_attribute("tabindex") == "-1"
    await expect(live_region(page)).to_have_text(f"{ANNOUNCEMENT} {QUESTION}")
    assert await page.evaluate(FOCUSED) == "#host-input"
    assert await page.locator("#host-input").input_value() == "Paid in March"
    assert host.errors == []


async def test_escape_in_the_host_page_declines(
    open_host: OpenHost, servers: Servers, services: Services
) -> None:
    await make_survey(services)
    host = await open_host(servers.host + "/?user=user-1")
    page = host.page
    decline_calls: list[str] = []
    page.on(
        "request",
        lambda request: (
            decline_calls.append(request.url)
            if "WidgetDecline" in (request.post_data or "")
            else None
        ),
    )
    await expect(banner(page)).to_be_visible()
    assert await page.evaluate(FOCUSED) == "#host-input"

    await page.keyboard.press("Escape")

    await expect(banner(page)).to_have_count(0)
    await eventually(declined, within=5.0)
    # Closed, the banner listens no more: another Escape declines nothing again.
    await page.keyboard.press("Escape")
    await page.wait_for_timeout(200)
    assert len(decline_calls) == 1
    assert await page.evaluate(FOCUSED) == "#host-input"
    assert host.errors == []


async def test_an_escape_the_host_page_handled_itself_is_left_to_it(
    open_host: OpenHost, servers: Servers, services: Services
) -> None:
    await make_survey(services)
    page = (await open_host(servers.host + "/?user=user-1")).page
    await expect(banner(page)).to_be_visible()
    # The page's own input uses Escape (to close a list of suggestions, say).
    await page.locator("#host-input").evaluate(
        "input => input.addEventListener('keydown', e => { if (e.key === 'Escape') "
        "e.preventDefault(); })"
    )

    await page.keyboard.press("Escape")
    await page.wait_for_timeout(200)
    assert await banner(page).count() == 1
    await page.locator("#host-button").focus()
    await page.keyboard.press("Escape")

    await expect(banner(page)).to_have_count(0)
    await eventually(declined, within=5.0)


async def test_every_label_resolves_and_the_comment_is_named_by_its_question(
    open_host: OpenHost, servers: Servers, services: Services
) -> None:
    await make_survey(services)
    page = (await open_host(servers.host + "/?user=user-1&thanks-seconds=0")).page

    await expect(page.get_by_role("dialog", name=QUESTION)).to_be_visible()
    assert await dangling_ids(page) == []

    await page.get_by_role("button", name="Score 8", exact=True).click()
    comment = page.get_by_role("textbox", name=FOLLOW_UP, exact=True)
    await expect(comment).to_be_focused()
    await expect(page.get_by_role("dialog", name=FOLLOW_UP)).to_be_visible()
    assert await dangling_ids(page) == []
    assert await comment.get_attribute("aria-label") is None

    await comment.fill("Fast")
    await page.get_by_role("button", name="Send").click()
    await expect(page.get_by_role("dialog", name="Thank you!")).to_be_visible()
    assert await dangling_ids(page) == []
    await expect(live_region(page)).to_have_text("Thank you!")


async def test_the_thank_you_closes_itself_after_the_configured_seconds(
    open_host: OpenHost, servers: Servers, services: Services
) -> None:
    await make_survey(services)
    page = (await open_host(servers.host + "/?user=user-1&thanks-seconds=1")).page
    await page.get_by_role("button", name="Score 10", exact=True).click()
    await page.get_by_role("textbox", name=FOLLOW_UP).fill("Great")

    await page.get_by_role("button", name="Send").click()

    await expect(page.get_by_role("dialog", name="Thank you!")).to_be_visible()
    await expect(banner(page)).to_have_count(0, timeout=15_000)
    # Focus goes back to where the person was before the banner.
    assert await page.evaluate(FOCUSED) == "#host-input"
    response = await Response.find_one()
    assert response is not None and (response.score, response.comment) == (10, "Great")
    display = await Display.find_one()
    assert display is not None and display.declined_at is None


async def test_the_thank_you_closes_after_four_seconds_unless_configured(
    open_host: OpenHost, servers: Servers, services: Services
) -> None:
    await make_survey(services)
    page = (await open_host(servers.host + "/?user=user-1")).page
    await page.get_by_role("button", name="Score 7", exact=True).click()
    await page.get_by_role("textbox", name=FOLLOW_UP).fill("Fine")
    await page.get_by_role("button", name="Send").click()
    await expect(page.get_by_role("dialog", name="Thank you!")).to_be_visible()

    await expect(banner(page)).to_have_count(0, timeout=30_000)


async def test_the_thank_you_has_a_close_button(
    open_host: OpenHost, servers: Servers, services: Services
) -> None:
    await make_survey(services)
    page = (await open_host(servers.host + "/?user=user-1&thanks-seconds=0")).page
    await page.get_by_role("button", name="Score 5", exact=True).click()
    await page.get_by_role("textbox", name=FOLLOW_UP).fill("So-so")
    await page.get_by_role("button", name="Send").click()
    thanks = page.get_by_role("dialog", name="Thank you!")
    await expect(thanks).to_be_visible()

    await thanks.get_by_role("button", name="Close").click()

    await expect(banner(page)).to_have_count(0)
    display = await Display.find_one()
    assert display is not None and display.declined_at is None


async def test_axe_finds_nothing_at_any_step(
    open_host: OpenHost, servers: Servers, services: Services
) -> None:
    await make_survey(services)
    page = (await open_host(servers.host + "/?user=user-1&thanks-seconds=0")).page
    await expect(banner(page)).to_be_visible()
    assert await axe_violations(page) == [], "question"

    await page.get_by_role("button", name="Score 2", exact=True).click()
    comment = page.get_by_role("textbox", name=FOLLOW_UP)
    await expect(comment).to_be_focused()
    assert await axe_violations(page) == [], "score chosen"

    await comment.fill("Too slow")
    assert await axe_violations(page) == [], "comment"

    await page.get_by_role("button", name="Send").click()
    await expect(page.get_by_role("dialog", name="Thank you!")).to_be_visible()
    assert await axe_violations(page) == [], "thank-you"


async def test_the_banner_works_with_the_keyboard_alone(
    open_host: OpenHost, servers: Servers, services: Services
) -> None:
    await make_survey(services)
    page = (await open_host(servers.host + "/?user=user-1&thanks-seconds=0")).page
    await expect(banner(page)).to_be_visible()

    for _ in range(30):  # from the host page's input, Tab walks into the banner
        if await page.evaluate(FOCUSED) == "Score 9":
            break
        await page.keyboard.press("Tab")
    assert await page.evaluate(FOCUSED) == "Score 9"
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("textbox", name=FOLLOW_UP)).to_be_focused()
    await page.keyboard.type("Works without a mouse")
    await page.keyboard.press("Tab")
    assert await page.evaluate(FOCUSED) == "Send"
    await page.keyboard.press("Enter")

    await expect(page.get_by_role("dialog", name="Thank you!")).to_be_visible()
    response = await Response.find_one()
    assert response is not None
    assert (response.score, response.comment) == (9, "Works without a mouse")


async def test_nothing_overflows_at_320_pixels(
    open_host: OpenHost, servers: Servers, services: Services
) -> None:
    await make_survey(services)
    page = (await open_host(servers.host + "/?user=user-1", viewport=NARROW)).page
    await expect(banner(page)).to_be_visible()

    async def assert_fits() -> None:
        assert await page.evaluate("document.scrollingElement.scrollWidth") <= NARROW["width"]
        for control in await banner(page).locator("button, textarea").all():
            assert await control.is_visible()
            box = await control.bounding_box()
            assert box is not None and box["x"] >= 0
            assert box["x"] + box["width"] <= NARROW["width"]

    await assert_fits()
    await page.get_by_role("button", name="Score 10", exact=True).click()
    await expect(page.get_by_role("textbox", name=FOLLOW_UP)).to_be_focused()
    await assert_fits()


async def test_debug_says_in_the_console_why_the_banner_did_not_show(
    open_host: OpenHost, servers: Servers, services: Services
) -> None:
    await make_survey(services)
    await services.suppressions.suppress(SuppressionReason.OBJECTION, user_id="user-2")

    host = await open_host(servers.host + "/?user=user-2&debug=")

    async def explained() -> bool:
        return any("not shown" in line and "SUPPRESSED" in line for line in host.console)

    await eventually(explained, within=10.0)
    assert any('"eligible":false' in line for line in host.console), host.console
    assert await banner(host.page).count() == 0
    # The console names no one: the person's id and e-mail stay out of it.
    assert not any("user-2" in line or "@" in line for line in host.console), host.console


async def test_debug_names_the_error_of_a_refused_token(
    open_host: OpenHost, servers: Servers, services: Services
) -> None:
    await make_survey(services)

    host = await open_host(servers.host + "/?user=user-1&token=fh_revoked&debug=")

    async def explained() -> bool:
        return any(line.startswith("feedback-hub: not shown:") for line in host.console)

    await eventually(explained, within=10.0)
    assert (
        "feedback-hub: not shown: WidgetEligibilityDebug refused (UNAUTHENTICATED)" in host.console
    )
    assert host.errors == []


async def test_debug_says_when_the_banner_shows(
    open_host: OpenHost, servers: Servers, services: Services
) -> None:
    await make_survey(services)

    host = await open_host(servers.host + "/?user=user-1&debug=")

    await expect(banner(host.page)).to_be_visible()
    assert any('"eligible":true' in line for line in host.console), host.console
    assert any(line.startswith("feedback-hub: shown") for line in host.console), host.console


async def test_without_debug_the_console_stays_quiet(
    open_host: OpenHost, servers: Servers, services: Services
) -> None:
    await make_survey(services)
    await services.suppressions.suppress(SuppressionReason.OBJECTION, user_id="user-2")

    host = await open_host(servers.host + "/?user=user-2")
    # The login, then the eligibility question; then a moment for its answer.
    await eventually(lambda: host.requests.count(servers.hub + "/graphql") >= 2)
    await host.page.wait_for_timeout(500)

    assert [line for line in host.console if "feedback-hub" in line] == []
    assert await banner(host.page).count() == 0
