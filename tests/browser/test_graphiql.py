"""GraphiQL in a real browser that may reach nothing but the hub: it loads, under its
CSP, reads the schema once a token is pasted, and runs a query."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from playwright.async_api import Browser, ConsoleMessage, Route, expect

from hub.models.common import Role
from tests.support.browser import Servers


async def test_graphiql_works_offline_under_its_csp(
    browser: Browser, servers: Servers, tokens: dict[Role, str]
) -> None:
    context = await browser.new_context()
    elsewhere: list[str] = []

    async def only_the_hub(route: Route) -> None:
        if urlsplit(route.request.url).netloc == urlsplit(servers.hub).netloc:
            await route.continue_()
        else:
            elsewhere.append(route.request.url)
            await route.abort()

    await context.route("**/*", only_the_hub)
    page = await context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error" and "favicon" not in message.text:
            problems.append(message.text)

    page.on("console", on_console)

    await page.goto(servers.hub + "/graphql")
    await expect(page.locator(".graphiql-container .graphiql-editors")).to_be_visible()

    # Given a token pasted into the Headers tab
    await page.get_by_role("button", name="Headers").click()
    headers = page.locator(".graphiql-editor-tool .graphiql-editor").last
    await headers.click()
    await page.keyboard.insert_text(json.dumps({"Authorization": f"Bearer {tokens[Role.VIEWER]}"}))
    # When the example query runs
    await page.locator(".graphiql-execute-button").click()

    # Then its answer shows
    await expect(page.locator(".graphiql-response")).to_contain_text('"surveys"')
    assert elsewhere == []
    assert problems == []
    await context.close()
