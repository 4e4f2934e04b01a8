"""The console behind the ASGI transport, with the fake Slack as its Slack (sign-in
and the bot's calls)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from hub.clock import FrozenClock
from hub.db import Database
from hub.server.app import create_app
from hub.services import Services
from hub.settings import Settings
from tests.support.console import ConsoleClient, console_settings
from tests.support.slack import FakeSlack
from tests.support.slack_hub import slack

HUB = "http://hub.test"

__all__ = ["console", "console_app", "second_browser", "settings", "slack", "slack_sign_in"]


@pytest.fixture
def slack_sign_in(slack: FakeSlack) -> bool:
    """Whether the console offers Slack sign-in; a test module overrides it to False
    for API-key sign-in."""
    return True


@pytest.fixture
def settings(
    mongo_uri: str, database: Database, tmp_path: Path, slack: FakeSlack, slack_sign_in: bool
) -> Settings:
    return console_settings(mongo_uri, database.name, tmp_path / "data", slack, HUB, slack_sign_in)


@pytest.fixture
async def console_app(
    settings: Settings, clock: FrozenClock, services: Services
) -> AsyncIterator[Starlette]:
    application = create_app(settings, clock, services)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def console(console_app: Starlette) -> AsyncIterator[ConsoleClient]:
    transport = httpx.ASGITransport(app=console_app)
    async with httpx.AsyncClient(transport=transport, base_url=HUB) as client:
        yield ConsoleClient(client)


@pytest.fixture
async def second_browser(console_app: Starlette) -> AsyncIterator[ConsoleClient]:
    transport = httpx.ASGITransport(app=console_app)
    async with httpx.AsyncClient(transport=transport, base_url=HUB) as client:
        yield ConsoleClient(client)
