"""A real hub (uvicorn on 127.0.0.1) next to a host page on another origin, and
headless Chromium from Debian driven by Playwright."""

from __future__ import annotations

import asyncio
import html
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import uvicorn
from playwright.async_api import Browser, BrowserContext, ViewportSize, async_playwright
from pydantic import SecretStr
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from hub.clock import FrozenClock
from hub.db import Database
from hub.models.common import Role
from hub.server.app import create_app
from hub.settings import Settings
from tests.support.browser import PHONE, HostPage, OpenHost, Servers
from tests.support.network import free_port

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"

# identify() called before widget.js has loaded, through the stub the README shows.
EARLY = """<script>
window.feedbackHub = window.feedbackHub ||
  {{q: [], identify: function (u) {{ this.q.push(["identify", u]); }}}};
feedbackHub.identify({person});
</script>"""
# identify() called once the page has loaded, on the real object, without a stub.
LATE = """<script>
window.addEventListener("load", function () {{ feedbackHub.identify({person}); }});
</script>"""

HOST_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Invoices</title>
<style>
body {{ font-family: serif; color: rgb(0, 128, 0); }}
button {{ background: rgb(255, 0, 0); font-size: 30px; }}
p {{ margin: 40px; }}
</style>
</head>
<body>
<main>
<h1>Invoices</h1>
<button id="host-button">Host button</button>
<p id="host-text">The host page's own text.</p>
<label for="host-input">Invoice note</label> <input id="host-input" autofocus>
</main>
<script src="{hub}/widget.js" data-token="{token}" data-survey="nps-main"{extra} async></script>
{identify}
</body>
</html>
"""


async def _serve(app: Starlette, port: int) -> tuple[uvicorn.Server, asyncio.Task[None]]:
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    for _ in range(500):
        if server.started:
            return server, task
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    raise TimeoutError("uvicorn did not start")


def _host_app(hub: str, token: str) -> Starlette:
    async def page(request: Request) -> HTMLResponse:
        query = request.query_params
        person = {
            "id": query.get("user", "user-1"),
            "email": query.get("email", "person1@example.org"),
            "company": "Acme AS",
            "country": "NO",
            "locale": query.get("locale", "en"),
        }
        # ?endpoint=…, ?debug=, ?thanks-seconds=…: the script tag's data- attributes.
        extra = "".join(
            f' data-{name}="{html.escape(query[name])}"'
            for name in ("endpoint", "debug", "thanks-seconds")
            if name in query
        )
        return HTMLResponse(
            HOST_PAGE.format(
                hub=html.escape(hub),
                token=html.escape(query.get("token", token)),
                extra=extra,
                identify=(LATE if query.get("late") else EARLY).format(
                    person=json.dumps(person).replace("</", "<\\/")
                ),
            )
        )

    return Starlette(routes=[Route("/", page)])


@pytest.fixture
def ports() -> tuple[int, int]:
    return free_port(), free_port()


@pytest.fixture
def settings(
    mongo_uri: str, database: Database, tmp_path: Path, ports: tuple[int, int]
) -> Settings:
    hub_port, host_port = ports
    return Settings(
        _env_file=None,
        mongodb_uri=SecretStr(mongo_uri),
        db_name=database.name,
        data_dir=tmp_path / "data",
        public_url=f"http://127.0.0.1:{hub_port}",
        background_workers=False,
        cors_origins=[f"http://127.0.0.1:{host_port}"],
        # The banner needs nothing but its registered documents.
        widget_operations="registered",
    )


@pytest.fixture
async def servers(
    settings: Settings, clock: FrozenClock, tokens: dict[Role, str], ports: tuple[int, int]
) -> AsyncIterator[Servers]:
    hub_port, host_port = ports
    hub_url, host_url = f"http://127.0.0.1:{hub_port}", f"http://127.0.0.1:{host_port}"
    hub, hub_task = await _serve(create_app(settings, clock), hub_port)
    host, host_task = await _serve(_host_app(hub_url, tokens[Role.WIDGET]), host_port)
    try:
        yield Servers(hub=hub_url, host=host_url, settings=settings)
    finally:
        for server, task in ((host, host_task), (hub, hub_task)):
            server.should_exit = True
            await task


def _require_chromium() -> None:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/ensure-chromium.sh (make test does)")


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    _require_chromium()
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        await launched.close()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture
async def open_host(
    browser: Browser,
) -> AsyncIterator[OpenHost]:
    """Opens a host page in a fresh context (closed after the test), recording what it
    requests, throws and logs."""
    contexts: list[BrowserContext] = []

    async def open_page(url: str, viewport: ViewportSize = PHONE) -> HostPage:
        context = await browser.new_context(viewport=viewport)
        contexts.append(context)
        page = await context.new_page()
        opened = HostPage(page)
        page.on("request", lambda request: opened.requests.append(request.url))
        page.on("pageerror", lambda error: opened.errors.append(str(error)))
        page.on("console", lambda message: opened.console.append(message.text))
        await page.goto(url)
        return opened

    yield open_page
    for context in contexts:
        await context.close()
