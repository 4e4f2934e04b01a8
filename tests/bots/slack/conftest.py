"""Fixtures of the Slack bot tests: the fake Slack Web API, the hub pointed at it,
signed requests to /slack/events, and the widget flow that creates follow-ups."""

from __future__ import annotations

import asyncio
import json
import time
import urllib.parse
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr
from slack_sdk.signature import SignatureVerifier
from starlette.applications import Starlette

from hub.clock import FrozenClock
from hub.db import Database
from hub.models.common import Channel, Metric
from hub.models.followup import FollowUp
from hub.models.response import Response
from hub.server.app import create_app
from hub.services import Services
from hub.settings import Settings
from tests.factories import context, make_survey, person
from tests.fakes.slack import FakeSlack

SIGNING_SECRET = "test-signing-secret"
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


def signed_headers(
    body: str, secret: str = SIGNING_SECRET, at: int | None = None
) -> dict[str, str]:
    """Headers as Slack sends them: v0 HMAC-SHA256 over `v0:{timestamp}:{body}`."""
    timestamp = str(at if at is not None else int(time.time()))
    signature = SignatureVerifier(secret).generate_signature(timestamp=timestamp, body=body)
    assert signature is not None
    return {
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": signature,
        "Content-Type": "application/x-www-form-urlencoded",
    }


class SlackSender:
    """Sends requests to /slack/events the way Slack does."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http
        self.triggers = 0

    def trigger(self) -> str:
        self.triggers += 1
        return f"trigger-{self.triggers}"

    async def send(
        self, body: str, headers: dict[str, str] | None = None, retry: int | None = None
    ) -> httpx.Response:
        headers = dict(headers if headers is not None else signed_headers(body))
        if retry is not None:
            headers["X-Slack-Retry-Num"] = str(retry)
            headers["X-Slack-Retry-Reason"] = "http_timeout"
        return await self.http.post("/slack/events", content=body, headers=headers)

    def action_body(
        self, action_id: str, follow_up_id: str, user: str, channel: str = "CROUTED"
    ) -> str:
        payload = {
            "type": "block_actions",
            "team": {"id": "T0001"},
            "user": {"id": user, "username": user.lower(), "team_id": "T0001"},
            "api_app_id": "A0001",
            "token": "legacy",
            "trigger_id": self.trigger(),
            "channel": {"id": channel},
            "container": {"type": "message", "channel_id": channel, "message_ts": "1.000001"},
            "response_url": "http://127.0.0.1:9/unused",
            "actions": [
                {
                    "type": "button",
                    "action_id": action_id,
                    "block_id": "follow_up_actions",
                    "value": follow_up_id,
                    "action_ts": f"{time.time():.6f}",
                }
            ],
        }
        return "payload=" + urllib.parse.quote(json.dumps(payload))

    async def click(
        self, action_id: str, follow_up_id: str, user: str, channel: str = "CROUTED"
    ) -> httpx.Response:
        return await self.send(self.action_body(action_id, follow_up_id, user, channel))

    async def submit_resolution(
        self, follow_up_id: str, user: str, note: str, informed: bool, channel: str = "CROUTED"
    ) -> httpx.Response:
        selected = [{"value": "informed"}] if informed else []
        payload = {
            "type": "view_submission",
            "team": {"id": "T0001"},
            "user": {"id": user, "username": user.lower(), "team_id": "T0001"},
            "api_app_id": "A0001",
            "token": "legacy",
            "trigger_id": self.trigger(),
            "view": {
                "id": "V0001",
                "type": "modal",
                "callback_id": "followup_resolve_view",
                "private_metadata": json.dumps(
                    {"follow_up_id": follow_up_id, "channel_id": channel}
                ),
                "state": {
                    "values": {
                        "note": {"note_input": {"type": "plain_text_input", "value": note}},
                        "informed": {
                            "informed_input": {"type": "checkboxes", "selected_options": selected}
                        },
                    }
                },
            },
        }
        body = "payload=" + urllib.parse.quote(json.dumps(payload))
        return await self.send(body)

    def command_body(self, text: str, user: str, response_url: str) -> str:
        return urllib.parse.urlencode(
            {
                "token": "legacy",
                "team_id": "T0001",
                "channel_id": "CROUTED",
                "user_id": user,
                "user_name": user.lower(),
                "command": "/feedback",
                "text": text,
                "api_app_id": "A0001",
                "response_url": response_url,
                "trigger_id": self.trigger(),
            }
        )

    async def command(self, text: str, user: str, response_url: str) -> httpx.Response:
        return await self.send(self.command_body(text, user, response_url))


@pytest.fixture
def sender(hub_http: httpx.AsyncClient) -> SlackSender:
    return SlackSender(hub_http)


async def eventually(check: Callable[[], Awaitable[bool] | bool], within: float = 10.0) -> None:
    """Wait, boundedly, for work that runs after Slack got its ack."""
    deadline = asyncio.get_running_loop().time() + within
    while True:
        result = check()
        if not isinstance(result, bool):
            result = await result
        if result:
            return
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("the expected side effect did not happen in time")
        await asyncio.sleep(0.02)


class Widget:
    """Answers surveys the way the widget does, one new person each time."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.people = 0
        self.surveys: set[str] = set()

    async def answer(
        self,
        score: int,
        comment: str | None = "The invoices page is slow.",
        survey_key: str = "nps-main",
        metric: Metric = Metric.NPS,
        product: str = "Accounting",
        country: str = "NO",
        company: str = "Acme AS",
    ) -> Response:
        if survey_key not in self.surveys:
            await make_survey(self.services, key=survey_key, metric=metric, product=product)
            self.surveys.add(survey_key)
        self.people += 1
        display = await self.services.responses.record_display(
            survey_key,
            person(self.people),
            Channel.IN_APP_WEB,
            context(country=country, company=company, product=product),
            "en",
        )
        response = await self.services.responses.submit_score(str(display.id), score)
        if comment is None:
            return response
        return await self.services.responses.submit_comment(str(response.id), comment)


@pytest.fixture
def widget(hub_services: Services) -> Widget:
    return Widget(hub_services)


async def follow_up_of(response: Response) -> FollowUp:
    found = await FollowUp.find_one(FollowUp.response_id == response.id)
    assert found is not None
    return found
