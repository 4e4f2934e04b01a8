"""The console in headless Chromium: a real hub on 127.0.0.1 with the fake Slack as its
Slack, signing in as a role, and the checks every console page must pass (axe-core, the
CSP, nothing fetched from elsewhere, page weight, width) plus screenshots for review."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
import uvicorn
from playwright.async_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Locator,
    Page,
    Request,
    Response,
    ViewportSize,
)
from playwright.async_api import TimeoutError as PlaywrightTimeoutError
from starlette.applications import Starlette

from hub.models.common import Role
from hub.services import Services
from hub.web.console import strings
from tests.support.slack import FakeSlack
from tests.support.waiting import eventually

TESTS = Path(__file__).resolve().parent.parent
# Installed by `make test` (npm ci --prefix tests/browser) from tests/browser/package-lock.json.
AXE = TESTS / "browser" / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = TESTS / "artifacts" / "console"
NARROW: ViewportSize = {"width": 320, "height": 640}
DESKTOP: ViewportSize = {"width": 1280, "height": 800}
# What a console page may weigh on the wire, everything it loads included, compressed.
PAGE_BUDGET_BYTES = 200_000
ENGLISH = strings.text("en")  # the tests' browser profiles are English unless told

# The console member each role signs in as (Slack user id, name).
MEMBERS: dict[Role, tuple[str, str]] = {
    Role.VIEWER: ("U0VIEW", "Vera Viewer"),
    Role.AGENT: ("U0AGENT", "Ana Agent"),
    Role.PRIVACY_OFFICER: ("U0PRIV", "Per Privacy"),
    Role.ADMIN: ("U0ADMIN", "Ada Admin"),
}

# Reports every CSP violation to the test (exposed as `reportCspViolation`), from every
# document the context opens, before the page's own scripts run.
_CSP_LISTENER = """document.addEventListener('securitypolicyviolation', e =>
  window.reportCspViolation(`${e.effectiveDirective} blocked ${e.blockedURI || 'inline'}`
    + ` at ${e.sourceFile || e.documentURI}:${e.lineNumber}`));"""
# axe-core runs through the DevTools protocol (the page's CSP allows no injected
# script tag) and answers its violations, one line each.
_AXE_RUN = """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
  .map(v => `${v.id} (${v.impact}): ${v.nodes.map(n => JSON.stringify(n.target)).join(', ')}`)"""
# Answers that stay open while the page shows (subscriptions, live updates).
_STREAMS = ("text/event-stream", "multipart/mixed")
# The focused element's outline or box shadow: visible focus has one or the other.
_FOCUS_RING = """() => {
  const style = getComputedStyle(document.activeElement);
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
  return outline || style.boxShadow !== 'none';
}"""


@dataclass
class ConsoleHub:
    """A hub serving the console on 127.0.0.1, its services and its (fake) Slack."""

    url: str
    services: Services
    slack: FakeSlack

    @property
    def origin(self) -> str:
        return urlsplit(self.url).netloc


@contextlib.asynccontextmanager
async def serving_on(app: Starlette, port: int) -> AsyncIterator[str]:
    """`app` on 127.0.0.1:`port` (its lifespan run here): yields its base URL. The port is
    chosen before the app, since the hub's public URL (the OIDC redirect_uri) names it."""
    async with app.router.lifespan_context(app):
        config = uvicorn.Config(
            app, host="127.0.0.1", port=port, lifespan="off", log_level="warning"
        )
        server = uvicorn.Server(config)
        task = asyncio.create_task(server.serve())
        try:
            await eventually(lambda: server.started or task.done(), within=10.0)
            if task.done():
                task.result()
            yield f"http://127.0.0.1:{port}"
        finally:
            server.should_exit = True
            await task


@dataclass
class ConsoleTab:
    """A page of the console in Chromium and what it did: every request, CSP violation,
    uncaught error and console error, from the moment it opened."""

    page: Page
    hub: ConsoleHub
    requests: list[str] = field(default_factory=list)
    csp_violations: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def forget(self) -> None:
        """Start recording afresh (a check of one page looks at that page only)."""
        self.requests.clear()
        self.csp_violations.clear()
        self.errors.clear()

    def elsewhere(self, allowed: tuple[str, ...] = ()) -> list[str]:
        """The requests that went to another origin than the hub's (or `allowed`)."""
        origins = (self.hub.origin, *allowed)
        return [url for url in self.requests if urlsplit(url).netloc not in origins]

    def assert_well_behaved(self, allowed: tuple[str, ...] = ()) -> None:
        """No CSP violation, no error in the console, nothing fetched from elsewhere."""
        assert self.csp_violations == [], self.csp_violations
        assert self.errors == [], self.errors
        assert self.elsewhere(allowed) == [], self.elsewhere(allowed)


async def open_tab(context: BrowserContext, hub: ConsoleHub) -> ConsoleTab:
    """A new page in `context` that records what it requests, breaks and logs."""
    page = await context.new_page()
    tab = ConsoleTab(page, hub)

    def on_csp_violation(description: str) -> None:
        tab.csp_violations.append(description)

    await page.expose_function("reportCspViolation", on_csp_violation)
    await page.add_init_script(_CSP_LISTENER)

    def on_request(request: Request) -> None:
        tab.requests.append(request.url)

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error" and not _expected_error(message):
            tab.errors.append(message.text)

    def on_response(response: Response) -> None:
        # The page itself may answer an error (the tests ask for error pages); what it
        # loads may not.
        if response.status >= 400 and response.request.resource_type != "document":
            tab.errors.append(f"{response.status} {response.url}")

    page.on("request", on_request)
    page.on("response", on_response)
    page.on("pageerror", lambda error: tab.errors.append(str(error)))
    page.on("console", on_console)
    return tab


def _expected_error(message: ConsoleMessage) -> bool:
    """Chromium logs every 4xx/5xx it loads as an error: the console's error pages are
    answers the tests ask for (a failing style sheet or script is caught by its
    response instead)."""
    return message.text.startswith("Failed to load resource: the server responded")


async def open_signed_in_tab(browser: Browser, hub: ConsoleHub, role: Role) -> ConsoleTab:
    """A new English browser profile, signed in with Slack as `role`'s member (close it
    with `tab.page.context.close()`)."""
    context = await browser.new_context(locale="en-US", viewport=DESKTOP)
    tab = await open_tab(context, hub)
    await sign_in_as(tab, role)
    return tab


async def sign_in_as(tab: ConsoleTab, role: Role, next_path: str = "/console") -> str:
    """Make the role's console member, then click "Sign in with Slack" and be sent back
    by the fake Slack's authorization page; waits until the console shows. Answers the
    member's name."""
    user_id, name = MEMBERS[role]
    hub = tab.hub
    await hub.services.console.set_member(user_id, role, "browser tests")
    hub.slack.sign_in.sign_in_as(user_id, name)
    await tab.page.goto(f"{hub.url}/console/sign-in?{urlencode({'next': next_path})}")
    await tab.page.get_by_role("link", name=ENGLISH["sign_in_slack"]).click()
    await tab.page.wait_for_url(lambda url: "/console/sign-in" not in url)
    await tab.page.get_by_role("button", name=ENGLISH["sign_out"]).wait_for()
    return name


async def assert_axe_clean(page: Page) -> None:
    """axe-core finds no violation on the page as it is now."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `npm ci --prefix tests/browser` (make test does)")
    if await page.evaluate("typeof window.axe") == "undefined":
        await page.evaluate(AXE.read_text(encoding="utf-8"))
    violations: list[str] = await page.evaluate(_AXE_RUN)
    assert violations == [], f"{page.url}: {violations}"


async def has_visible_focus(page: Page) -> bool:
    """Whether the focused element draws a focus ring (an outline or a box shadow)."""
    shown: bool = await page.evaluate(_FOCUS_RING)
    return shown


async def save_screenshot(page: Page, name: str) -> Path:
    """The whole page as tests/artifacts/console/<name>.png, for review (not compared)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    await page.screenshot(path=str(path), full_page=True)
    return path


async def page_weight(page: Page, url: str) -> int:
    """Load `url` in `page` and answer the bytes that came over the wire for it and all it
    loaded (headers and bodies, compressed as sent; the browser asks for gzip), as a
    first visit would: the browser's cache is off meanwhile. Streams that stay open (live
    updates) are left out: they have no end to weigh."""
    devtools = await page.context.new_cdp_session(page)
    await devtools.send("Network.enable")
    await devtools.send("Network.setCacheDisabled", {"cacheDisabled": True})
    responses: list[Response] = []

    def on_response(response: Response) -> None:
        responses.append(response)

    page.on("response", on_response)
    await page.goto(url, wait_until="load")
    with contextlib.suppress(PlaywrightTimeoutError):  # a page that keeps a stream open
        await page.wait_for_load_state("networkidle", timeout=3_000)
    page.remove_listener("response", on_response)
    await devtools.send("Network.setCacheDisabled", {"cacheDisabled": False})
    await devtools.detach()
    total = 0
    for response in responses:
        if (await response.header_value("content-type") or "").startswith(_STREAMS):
            continue
        sizes = await response.request.sizes()
        total += sizes["responseHeadersSize"] + sizes["responseBodySize"]
    return total


async def scrolls_sideways(page: Page) -> bool:
    """Whether the page is wider than its viewport (horizontal scrolling)."""
    wider: bool = await page.evaluate(
        "document.scrollingElement.scrollWidth > document.scrollingElement.clientWidth"
    )
    return wider


async def check_console_page(tab: ConsoleTab, path: str, name: str, status: int = 200) -> None:
    """What every console page must pass, `tab` signed in already: `path` answers
    `status`, axe-core finds nothing, it loads under PAGE_BUDGET_BYTES, fits 320 px
    without sideways scrolling, breaks no CSP rule, logs no error and fetches nothing
    from elsewhere. Leaves <name>.png and <name>-320px.png in tests/artifacts/console/."""
    page = tab.page
    tab.forget()
    await page.set_viewport_size(DESKTOP)
    answer = await page.goto(tab.hub.url + path)
    assert answer is not None and answer.status == status, (path, answer and answer.status)
    await assert_axe_clean(page)
    await save_screenshot(page, name)
    weight = await page_weight(page, tab.hub.url + path)
    assert weight < PAGE_BUDGET_BYTES, f"{path} weighs {weight} bytes compressed"
    await page.set_viewport_size(NARROW)
    assert not await scrolls_sideways(page), f"{path} scrolls sideways at 320 px"
    await save_screenshot(page, f"{name}-320px")
    await page.set_viewport_size(DESKTOP)
    await assert_keyboard_reaches_everything(page)
    tab.assert_well_behaved()


# Every control a pointer could use on the page, as seen on screen (hidden ones, and
# those inside a closed <details>, excepted; a radio group is one Tab stop).
_CONTROLS = """() => [...document.querySelectorAll(
    'a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]')]
  .filter(e => e.tabIndex >= 0 && !e.disabled && e.checkVisibility()
    && !(e.type === 'radio' && !e.checked
         && document.querySelector(`input[type=radio][name="${e.name}"]:checked`)))"""


async def assert_keyboard_reaches_everything(page: Page) -> None:
    """Tab from the top of the page reaches every control, each with its focus ring,
    before the focus leaves the page: nothing needs a mouse."""
    await page.bring_to_front()  # focus styles apply in the window that has the focus
    await page.evaluate("() => { document.activeElement && document.activeElement.blur(); }")
    await page.evaluate("() => window.scrollTo(0, 0)")
    count: int = await page.evaluate(f"() => ({_CONTROLS})().length")
    await page.evaluate(
        f"() => {{ window.__controls = ({_CONTROLS})(); window.__seen = new Set(); }}"
    )
    # A date field takes three stops (day, month, year).
    for _ in range(3 * count + 5):
        await page.keyboard.press("Tab")
        index: int = await page.evaluate("() => window.__controls.indexOf(document.activeElement)")
        if index < 0:
            continue
        # A date field's focus is on its day, month or year, which Chromium highlights
        # itself inside the field (the field reports no :focus of its own there).
        in_date: bool = await page.evaluate("() => document.activeElement.type === 'date'")
        if not in_date and not await has_visible_focus(page):
            html: str = await page.evaluate("() => document.activeElement.outerHTML.slice(0, 80)")
            raise AssertionError(f"{html} shows no focus on {page.url}")
        await page.evaluate(f"() => window.__seen.add({index})")
    missed: list[str] = await page.evaluate(
        "() => window.__controls.filter((e, i) => !window.__seen.has(i))"
        ".map(e => e.outerHTML.slice(0, 80))"
    )
    assert missed == [], f"the keyboard does not reach these on {page.url}: {missed}"


async def tab_to(page: Page, target: Locator, limit: int = 60) -> None:
    """Press Tab until `target` has the focus, as a keyboard user moves through the page
    (at most `limit` presses), and check that the focus shows."""
    for _ in range(limit):
        await page.keyboard.press("Tab")
        if await target.evaluate("element => element === document.activeElement"):
            assert await has_visible_focus(page), "the focus does not show"
            return
    raise AssertionError(f"{limit} presses of Tab did not reach {target}")
