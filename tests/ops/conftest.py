"""Fixtures of the operations tests: the fake Slack Web API and hub settings that
point at it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from hub.clock import FrozenClock
from hub.db import Database
from hub.settings import Settings
from tests.bots.slack.conftest import SIGNING_SECRET
from tests.fakes.slack import FakeSlack


@pytest.fixture
async def slack(clock: FrozenClock) -> AsyncIterator[FakeSlack]:
    fake = FakeSlack(admins={"UADMIN"}, now=lambda: clock.now().timestamp())
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
def ops_settings(mongo_uri: str, database: Database, tmp_path: Path, slack: FakeSlack) -> Settings:
    return Settings(
        _env_file=None,
        mongodb_uri=SecretStr(mongo_uri),
        db_name=database.name,
        data_dir=tmp_path / "data",
        slack_bot_token=SecretStr("xoxb-test"),
        slack_signing_secret=SecretStr(SIGNING_SECRET),
        slack_api_url=slack.api_url,
        slack_digest_threshold=100,
        rate_limit_per_address="",
        rate_limit_per_token="",
        outbox_poll_seconds=0.05,
        job_poll_seconds=0.05,
        metrics_token=SecretStr("metrics-token-for-tests"),
    )
