"""The console served by a real hub on 127.0.0.1, signing in with the fake Slack (or,
where a module turns `slack_sign_in` off, with an API key), opened in Chromium."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, BrowserContext

from hub.clock import FrozenClock
from hub.db import Database
from hub.server import demo
from hub.server.app import create_app
from hub.services import Services
from hub.settings import Settings
from tests.support.console import console_settings
from tests.support.console_browser import ConsoleHub, ConsoleTab, open_tab, serving_on
from tests.support.network import free_port
from tests.support.slack import FakeSlack
from tests.support.slack_hub import slack

__all__ = [
    "console_hub",
    "context",
    "demo_data",
    "hub_port",
    "settings",
    "slack",
    "slack_sign_in",
    "tab",
]


@pytest.fixture
def slack_sign_in() -> bool:
    """Whether the console offers Slack sign-in; a test module overrides it to False
    for the API-key form."""
    return True


@pytest.fixture
def hub_port() -> int:
    return free_port()


@pytest.fixture
def settings(
    mongo_uri: str,
    database: Database,
    tmp_path: Path,
    slack: FakeSlack,
    slack_sign_in: bool,
    hub_port: int,
) -> Settings:
    # The hub's real address: the fake Slack sends the browser back to it.
    public_url = f"http://127.0.0.1:{hub_port}"
    return console_settings(
        mongo_uri, database.name, tmp_path / "data", slack, public_url, slack_sign_in
    )


@pytest.fixture
async def console_hub(
    settings: Settings, clock: FrozenClock, services: Services, slack: FakeSlack, hub_port: int
) -> AsyncIterator[ConsoleHub]:
    """The hub on its port, sharing the test's services (so a test may add members,
    keys and answers while the browser looks)."""
    async with serving_on(create_app(settings, clock, services), hub_port) as url:
        yield ConsoleHub(url, services, slack)


@pytest.fixture
async def demo_data(services: Services, settings: Settings) -> None:
    """The demo's surveys, themes and answers (what `make run` shows), for pages that
    need something to show."""
    await demo.load(services, settings.data_dir)


@pytest.fixture
async def context(browser: Browser, console_hub: ConsoleHub) -> AsyncIterator[BrowserContext]:
    """A fresh browser profile (no cookies), in English. Closed before the hub stops:
    a page left open keeps its live-updates stream, which the hub's shutdown waits for."""
    opened = await browser.new_context(locale="en-US")
    yield opened
    await opened.close()


@pytest.fixture
async def tab(context: BrowserContext, console_hub: ConsoleHub) -> ConsoleTab:
    """A page of `context` that records what it requests, violates and logs."""
    return await open_tab(context, console_hub)
