"""The hub pointed at the fake Slack Web API, as the Slack and privacy tests run it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr
from starlette.applications import Starlette

from hub.clock import FrozenClock
from hub.db import Database
from hub.server.app import create_app
from hub.services import Services
from hub.settings import Settings
from tests.support.slack import FakeSlack
from tests.support.slack_sender import SIGNING_SECRET

DIGEST_THRESHOLD = 4


@pytest.fixture
async def slack(clock: FrozenClock) -> AsyncIterator[FakeSlack]:
    fake = FakeSlack(admins={"UADMIN"}, now=lambda: clock.now().timestamp())
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
def slack_settings(
    mongo_uri: str, database: Database, tmp_path: Path, slack: FakeSlack
) -> Settings:
    return Settings(
        _env_file=None,
        mongodb_uri=SecretStr(mongo_uri),
        db_name=database.name,
        data_dir=tmp_path / "data",
        slack_bot_token=SecretStr("xoxb-test"),
        slack_signing_secret=SecretStr(SIGNING_SECRET),
        slack_api_url=slack.api_url,
        slack_digest_threshold=DIGEST_THRESHOLD,
        background_workers=False,  # tests run the dispatcher themselves, step by step
    )


@pytest.fixture
async def hub(slack_settings: Settings, clock: FrozenClock) -> AsyncIterator[Starlette]:
    application = create_app(slack_settings, clock)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
def hub_services(hub: Starlette) -> Services:
    services: Services = hub.state.services
    return services


@pytest.fixture
async def hub_http(hub: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=hub)
    async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as client:
        yield client
