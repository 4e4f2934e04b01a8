"""Fixtures of the operations tests: the fake Slack Web API and hub settings that
point at it."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr

from hub.db import Database
from hub.settings import Settings
from tests.support.slack import FakeSlack
from tests.support.slack_hub import slack
from tests.support.slack_sender import SIGNING_SECRET

__all__ = ["ops_settings", "slack"]


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
