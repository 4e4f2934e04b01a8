"""`feedback-hub doctor` against the real test database, the fake Slack and a real
local SMTP server: all clear once healthy, and the right advice for each fault."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from aiosmtpd.controller import Controller
from pydantic import SecretStr

from hub.db import Database, free_port
from hub.models.common import Channel
from hub.models.outbox import OutboxMessage
from hub.models.rollup import HourlyRollup
from hub.server import config
from hub.server.doctor import Check, _check_clock, diagnose, run_doctor
from hub.services import Services
from hub.services.platform.outbox import Hold
from hub.settings import Settings
from tests.factories import context, make_survey, person
from tests.support.slack import FakeSlack


class Sink:
    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[int]:
    port = free_port()
    controller = Controller(Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    yield port
    controller.stop()


@pytest.fixture
async def healthy(ops_settings: Settings, smtp: int, services: Services) -> Settings:
    await services.routing.set_defaults("CROUTED", "CESCALATE")
    return ops_settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": smtp})


def failed(checks: list[Check]) -> dict[str, Check]:
    return {check.name: check for check in checks if not check.ok}


async def test_a_healthy_hub_passes_every_check(
    healthy: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    checks = await diagnose(healthy, config.check(healthy))

    assert failed(checks) == {}
    names = {check.name for check in checks}
    assert {"database", "indexes", "rollups", "clock", "slack token", "smtp"} <= names
    assert {"slack channel CROUTED", "slack channel CESCALATE"} <= names
    database = next(check for check in checks if check.name == "database")
    assert "server version" in database.detail


async def test_the_command_exits_0_only_when_all_hold(
    healthy: Settings, slack: FakeSlack, capsys: pytest.CaptureFixture[str]
) -> None:
    # The command runs its own event loop; the fake Slack answers from this one.
    assert await asyncio.to_thread(run_doctor, healthy, []) == 0
    assert "All checks passed." in capsys.readouterr().out

    slack.bot_channels = {"CROUTED"}
    assert await asyncio.to_thread(run_doctor, healthy, []) == 1
    out = capsys.readouterr().out
    assert "[FAIL] slack channel CESCALATE: the bot is not a member" in out
    assert "/invite @feedback-hub" in out


async def test_a_channel_without_the_bot(healthy: Settings, slack: FakeSlack) -> None:
    slack.bot_channels = {"CROUTED"}

    problems = failed(await diagnose(healthy, []))

    assert list(problems) == ["slack channel CESCALATE"]
    assert "/invite" in problems["slack channel CESCALATE"].advice


async def test_a_bad_slack_token(healthy: Settings, slack: FakeSlack) -> None:
    slack.bad_tokens = {"xoxb-test"}

    problems = failed(await diagnose(healthy, []))

    assert list(problems) == ["slack token"]
    assert "invalid_auth" in problems["slack token"].detail
    assert "OAuth & Permissions" in problems["slack token"].advice


async def test_held_slack_messages_are_named_per_channel_with_the_fix(
    healthy: Settings, services: Services
) -> None:
    # Given two posts held because the bot is not in the channel, and one for a token
    for number, (channel, reason) in enumerate(
        [
            ("CROUTED", "not_in_channel"),
            ("CROUTED", "not_in_channel"),
            ("CESCALATE", "token_revoked"),
        ]
    ):
        await services.outbox.enqueue("slack.post", f"post-{number}", channel, {})
        message = await services.outbox.claim("owner", ["slack.post"])
        assert message is not None
        await services.outbox.settle(message, "owner", Hold(reason))

    problems = failed(await diagnose(healthy, []))

    assert sorted(problems) == ["slack held CESCALATE", "slack held CROUTED"]
    routed = problems["slack held CROUTED"]
    assert routed.detail == "2 message(s) held: the bot is not in the channel (not_in_channel)"
    assert "/invite @feedback-hub" in routed.advice
    assert "reinstall" in problems["slack held CESCALATE"].advice


async def test_smtp_down(healthy: Settings) -> None:
    settings = healthy.model_copy(update={"smtp_port": free_port()})

    problems = failed(await diagnose(settings, []))

    assert list(problems) == ["smtp"]
    assert "HUB_SMTP_HOST" in problems["smtp"].advice


async def test_a_missing_index(healthy: Settings, database: Database) -> None:
    await database[OutboxMessage.Settings.name].drop_index("channel_1_status_1")

    problems = failed(await diagnose(healthy, []))

    assert list(problems) == ["indexes"]
    assert "outbox(channel, status)" in problems["indexes"].detail


async def test_an_empty_rollup_grain(
    healthy: Settings, database: Database, services: Services
) -> None:
    await make_survey(services)
    await services.responses.record_display(
        "nps-main", person(1), Channel.IN_APP_WEB, context(), "en"
    )
    assert failed(await diagnose(healthy, [])) == {}  # not folded yet: nothing missing
    await services.analytics.fold()
    assert failed(await diagnose(healthy, [])) == {}
    await database[HourlyRollup.Settings.name].delete_many({})

    problems = failed(await diagnose(healthy, []))

    assert list(problems) == ["rollups"]
    assert "rollups_hourly empty" in problems["rollups"].detail
    assert "feedback-hub rollups rebuild" in problems["rollups"].advice
    await services.analytics.rebuild()
    assert failed(await diagnose(healthy, [])) == {}


async def test_an_unreachable_database(healthy: Settings) -> None:
    settings = healthy.model_copy(
        update={
            "mongodb_uri": SecretStr("mongodb://db.nowhere.invalid:27017/"),
            "db_timeout_ms": 300,
        }
    )

    problems = failed(await diagnose(settings, []))

    assert "database" in problems
    assert "HUB_MONGODB_URI" in problems["database"].advice


async def test_a_short_secret(healthy: Settings) -> None:
    settings = healthy.model_copy(update={"metrics_token": SecretStr("short")})

    problems = failed(await diagnose(settings, config.check(settings)))

    assert list(problems) == ["setting HUB_METRICS_TOKEN"]
    assert "shorter than 16 characters" in problems["setting HUB_METRICS_TOKEN"].detail


def test_a_clock_off_the_database_servers() -> None:
    now = datetime.now(UTC)

    assert _check_clock(now - timedelta(seconds=2)).ok
    skewed = _check_clock(now - timedelta(minutes=3))
    assert not skewed.ok
    assert "+180 s" in skewed.detail or "+179 s" in skewed.detail
    assert "NTP" in skewed.advice
