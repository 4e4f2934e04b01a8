"""The door of `POST /slack/events`: every request is checked for its signature and
age before its body is parsed or even read past a limit. Unsigned, forged or stale
requests get 401, malformed bodies 400, oversized ones 413, never a 500; Slack's URL
check is answered, and Slack's retries are acknowledged without doing the work again."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import time
import urllib.parse
from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.applications import Starlette

from hub.models.slack import SlackRequestSeen, SlackUser
from hub.services import Services
from tests.support.slack import FakeSlack
from tests.support.slack_sender import SIGNING_SECRET, SlackSender, signed_headers
from tests.support.waiting import eventually

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
JSON = {"Content-Type": "application/json"}
MALFORMED = [
    ("payload=not-json", FORM),
    ("payload=" + urllib.parse.quote("[1, 2]"), FORM),
    ("payload=" + urllib.parse.quote('"a string"'), FORM),
    ("{not json", FORM),
    ("[1, 2]", JSON),
    ('{"type": "event_callback", "event": ', JSON),
]


def _no_tracebacks(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]


@pytest.mark.parametrize(("body", "content_type"), MALFORMED)
async def test_an_unsigned_malformed_body_is_refused_with_401(
    body: str,
    content_type: dict[str, str],
    hub_services: Services,
    sender: SlackSender,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.INFO):
        answer = await sender.send(body, dict(content_type))

    assert answer.status_code == 401
    assert _no_tracebacks(caplog) == []
    assert await SlackRequestSeen.find_all().count() == 0


@pytest.mark.parametrize(("body", "content_type"), MALFORMED)
async def test_a_signed_malformed_body_is_refused_with_400(
    body: str,
    content_type: dict[str, str],
    hub_services: Services,
    sender: SlackSender,
    slack: FakeSlack,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.INFO):
        answer = await sender.send(body, {**signed_headers(body), **content_type})

    assert answer.status_code == 400
    assert _no_tracebacks(caplog) == []
    assert slack.calls == []


async def test_a_body_that_is_not_utf8_is_refused_with_400(
    hub_services: Services, sender: SlackSender, slack: FakeSlack
) -> None:
    body = b"payload=\xff\xfe"
    timestamp = str(int(time.time()))
    signed = f"v0:{timestamp}:".encode() + body
    signature = "v0=" + hmac.new(SIGNING_SECRET.encode(), signed, hashlib.sha256).hexdigest()
    headers = {**FORM, "X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": signature}

    answer = await sender.http.post("/slack/events", content=body, headers=headers)

    assert answer.status_code == 400
    assert slack.calls == []


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Slack-Request-Timestamp": "soon", "X-Slack-Signature": "v0=abc"},
        {"X-Slack-Request-Timestamp": "", "X-Slack-Signature": ""},
        {"X-Slack-Request-Timestamp": "1" * 400, "X-Slack-Signature": "v0=" + "0" * 64},
        {"X-Slack-Signature": "v0=" + "0" * 64},
    ],
)
async def test_garbled_signature_headers_are_refused_with_401(
    headers: dict[str, str], hub_services: Services, sender: SlackSender
) -> None:
    answer = await sender.send("payload=not-json", {**FORM, **headers})

    assert answer.status_code == 401


async def test_a_body_over_the_limit_is_refused_with_413(
    hub_services: Services, sender: SlackSender, slack: FakeSlack
) -> None:
    limit = hub_services.settings.slack_max_body_bytes
    body = "payload=" + urllib.parse.quote(json.dumps({"type": "x", "pad": "y" * limit}))

    answer = await sender.send(body)

    assert answer.status_code == 413
    assert slack.calls == []


async def test_an_endless_body_is_not_read_past_the_limit(
    hub: Starlette, hub_services: Services
) -> None:
    # Given a client that streams a body without Content-Length and never stops
    limit = hub_services.settings.slack_max_body_bytes
    chunk = b"x" * 65536
    sent = 0

    async def endless() -> AsyncIterator[bytes]:
        nonlocal sent
        while sent < 64 * limit:  # a hang guard: far more than the hub may read
            sent += len(chunk)
            yield chunk

    transport = httpx.ASGITransport(app=hub)
    async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as http:
        answer = await http.post(
            "/slack/events",
            content=endless(),
            headers={**signed_headers("payload=%7B%7D"), "Content-Type": FORM["Content-Type"]},
        )

    # Then it is refused once the limit is passed, without reading the rest
    assert answer.status_code == 413
    assert sent <= limit + 2 * len(chunk)


async def test_a_declared_length_over_the_limit_is_refused_before_reading(
    hub: Starlette, hub_services: Services
) -> None:
    limit = hub_services.settings.slack_max_body_bytes
    read = 0

    async def small() -> AsyncIterator[bytes]:
        nonlocal read
        read += 1
        yield b"payload=%7B%7D"

    transport = httpx.ASGITransport(app=hub)
    async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as http:
        answer = await http.post(
            "/slack/events",
            content=small(),
            headers={**signed_headers("payload=%7B%7D"), "Content-Length": str(limit + 1)},
        )

    assert answer.status_code == 413
    assert read == 0


async def test_slacks_url_check_is_answered_with_the_challenge(
    hub_services: Services, sender: SlackSender
) -> None:
    body = json.dumps({"token": "legacy", "challenge": "c-123", "type": "url_verification"})
    answer = await sender.send(body, {**signed_headers(body), **JSON})
    unsigned = await sender.send(body, dict(JSON))

    assert answer.status_code == 200
    assert answer.json() == {"challenge": "c-123"}
    assert unsigned.status_code == 401


def _event(event_id: str) -> str:
    return json.dumps(
        {
            "token": "legacy",
            "team_id": "T0001",
            "api_app_id": "A0001",
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(time.time()),
            "event": {"type": "app_mention", "user": "UAGENT", "text": "hi", "ts": "1.000001"},
        }
    )


async def test_slacks_retries_of_an_event_are_answered_without_doing_it_again(
    hub: Starlette, hub_services: Services, sender: SlackSender
) -> None:
    # Given a listener that counts the events it handled
    handled: list[str] = []
    bolt = hub.state.slack_bot.app

    @bolt.event("app_mention")  # type: ignore[untyped-decorator]
    async def count(event: dict[str, str], body: dict[str, str]) -> None:
        handled.append(body["event_id"])

    body = _event("Ev0001")
    headers = {**signed_headers(body), **JSON}

    # When Slack delivers the event, then retries it three times (once while the
    # first delivery may still be at work)
    first, early = await asyncio.gather(
        sender.send(body, headers), sender.send(body, headers, retry=1)
    )
    await eventually(lambda: handled == ["Ev0001"])
    later = [await sender.send(body, headers, retry=n) for n in (2, 3)]

    # Then every delivery is answered 200 and the work is done once
    assert [a.status_code for a in (first, early, *later)] == [200] * 4
    await asyncio.sleep(0.2)  # would a retry have started work, it had time to
    assert handled == ["Ev0001"]

    # And a retry of an event never received before is handled: it is the first delivery
    unseen = _event("Ev0002")
    answer = await sender.send(unseen, {**signed_headers(unseen), **JSON}, retry=1)
    assert answer.status_code == 200
    await eventually(lambda: handled == ["Ev0001", "Ev0002"])


async def test_a_refused_request_leaves_no_trace(
    hub_services: Services, sender: SlackSender, slack: FakeSlack
) -> None:
    body = sender.action_body("followup_claim", "6b0900000000000000000000", "UAGENT")

    stale = await sender.send(body, signed_headers(body, at=int(time.time()) - 6 * 60))
    future = await sender.send(body, signed_headers(body, at=int(time.time()) + 6 * 60))

    assert (stale.status_code, future.status_code) == (401, 401)
    assert slack.calls == []
    assert await SlackUser.find_all().count() == 0
    assert await SlackRequestSeen.find_all().count() == 0
