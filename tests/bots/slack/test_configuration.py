"""Slack configuration: the SLACK_* variables, running without Slack, acking first."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from hub.clock import FrozenClock
from hub.db import Database
from hub.server.app import create_app
from hub.services import Services
from hub.settings import Settings
from tests.support.slack import FakeSlack
from tests.support.slack_sender import SlackSender
from tests.support.waiting import eventually
from tests.support.widget import Widget, follow_up_of


def test_the_slack_variables_are_read_as_slack_names_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-from-env")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "secret-from-env")
    monkeypatch.setenv("SLACK_API_URL", "http://127.0.0.1:9/api/")

    settings = Settings(_env_file=None)

    assert settings.slack_bot_token is not None
    assert settings.slack_bot_token.get_secret_value() == "xoxb-from-env"
    assert settings.slack_signing_secret is not None
    assert settings.slack_signing_secret.get_secret_value() == "secret-from-env"
    assert settings.slack_api_url == "http://127.0.0.1:9/api/"
    assert Settings(_env_file=None, slack_api_url="x").slack_api_url == "x"


async def test_without_a_token_the_hub_runs_without_slack_and_says_so(
    mongo_uri: str,
    database: Database,
    tmp_path: Path,
    clock: FrozenClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = Settings(
        _env_file=None,
        mongodb_uri=SecretStr(mongo_uri),
        db_name=database.name,
        data_dir=tmp_path,
        background_workers=False,
    )
    app = create_app(settings, clock)
    with caplog.at_level(logging.INFO, logger="hub.server.app"):
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as http:
                answer = await http.post("/slack/events", content="payload=%7B%7D")
    assert answer.status_code == 404
    said = [r.getMessage() for r in caplog.records if "Slack is off" in r.getMessage()]
    assert len(said) == 1
    services: Services = app.state.services
    assert "slack.post" not in services.dispatcher.handlers


async def test_slack_gets_its_ack_before_the_slow_work_runs(
    hub_services: Services, widget: Widget, slack: FakeSlack, sender: SlackSender
) -> None:
    # Given a Slack that takes 1.5 s to answer users.info
    await hub_services.routing.set_defaults("CROUTED", None)
    follow_up = await follow_up_of(await widget.answer(4))
    slack.slow_down("users.info", 1.5)

    # When someone clicks Claim, the ack comes back at once
    started = time.monotonic()
    answer = await sender.click("followup_claim", str(follow_up.id), "UAGENT")
    assert answer.status_code == 200
    assert time.monotonic() - started < 1.0
    assert slack.calls_to("chat.postEphemeral") == []

    # And the claim completes afterwards
    await eventually(lambda: len(slack.calls_to("chat.postEphemeral")) == 1)
