"""Logs: one JSON object per line, with the request id that the response carries, the
GraphQL operation, the caller's role and key label; and never personal data, through
a whole widget flow and a Slack follow-up flow."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from beanie import PydanticObjectId
from starlette.applications import Starlette

from hub.clock import FrozenClock
from hub.logs import configure_logging
from hub.models.common import Role
from hub.models.followup import FollowUp, FollowUpStatus
from hub.server.app import create_app
from hub.services import Services
from hub.settings import Settings
from tests.factories import make_survey
from tests.support.slack import FakeSlack
from tests.support.slack_sender import SlackSender
from tests.support.waiting import eventually

SHOW = """
mutation Show($user: UserInput!, $context: DisplayContextInput) {
  recordDisplay(surveyKey: "nps-main", user: $user, channel: IN_APP_WEB, context: $context) {
    __typename ... on DisplayRecorded { displayId }
  }
}
"""
SCORE = """
mutation Score($display: ID!) {
  submitScore(displayId: $display, score: 2) { __typename ... on ScoreSubmitted { responseId } }
}
"""
COMMENT = """
mutation Comment($response: ID!, $comment: String!) {
  submitComment(responseId: $response, comment: $comment) { __typename }
}
"""
FOLLOW_UPS = "query Open { followUps(status: OPEN) { edges { node { id contact { email } } } } }"

# Who gave the feedback, and the employee who follows it up in Slack.
USER_ID, USERNAME, EMAIL = "cust-73301-q", "zeta.lindqvist", "zeta.lindqvist@example.org"
SLACK_USER = "U0ZETA42"
PERSONAL = [USER_ID, USERNAME, EMAIL, "zeta", "lindqvist", SLACK_USER, "name-U0ZETA42"]


@pytest.fixture
async def hub(ops_settings: Settings, clock: FrozenClock) -> AsyncIterator[Starlette]:
    settings = ops_settings.model_copy(update={"background_workers": False})
    app = create_app(settings, clock)
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
async def http(hub: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=hub)
    async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as client:
        yield client


def lines(stream: io.StringIO) -> list[dict[str, Any]]:
    """The hub's log lines; the fake Slack server's access log runs in this test
    process too, and is not the hub's."""
    records = [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]
    return [record for record in records if record["logger"] != "aiohttp.access"]


async def test_a_widget_and_slack_flow_logs_json_without_personal_data(
    captured: io.StringIO, http: httpx.AsyncClient, hub: Starlette, slack: FakeSlack
) -> None:
    services: Services = hub.state.services
    await make_survey(services)
    await services.routing.set_defaults("CROUTED", "CESCALATE")
    _, widget = await services.keys.create(Role.WIDGET, "web banner")
    _, viewer = await services.keys.create(Role.ADMIN, "ops console")

    async def call(query: str, variables: dict[str, Any], token: str) -> httpx.Response:
        return await http.post(
            "/graphql",
            json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {token}"},
        )

    # The widget flow, with the person's identity in every call
    user = {"id": USER_ID, "username": USERNAME, "email": EMAIL}
    context = {"url": f"https://app.example.com/account/{USERNAME}", "company": "Acme"}
    shown = await call(SHOW, {"user": user, "context": context}, widget)
    display_id = shown.json()["data"]["recordDisplay"]["displayId"]
    scored = await call(SCORE, {"display": display_id}, widget)
    response_id = scored.json()["data"]["submitScore"]["responseId"]
    comment = f"Please mail me at {EMAIL}, I am {USERNAME}"
    await call(COMMENT, {"response": response_id, "comment": comment}, widget)
    await call(FOLLOW_UPS, {}, viewer)
    await call("query Broken { nope }", {}, viewer)  # an error is logged too

    # The Slack flow: posted, claimed, resolved, listed
    await services.dispatcher.run_once()
    follow_up = await FollowUp.find_one(FollowUp.response_id == PydanticObjectId(response_id))
    assert follow_up is not None
    sender = SlackSender(http)
    await sender.click("followup_claim", str(follow_up.id), SLACK_USER)
    await sender.submit_resolution(str(follow_up.id), SLACK_USER, "Called them back", True)
    await sender.command("mine", SLACK_USER, slack.response_url())

    async def resolved() -> bool:
        found = await FollowUp.get(follow_up.id)
        return found is not None and found.status is FollowUpStatus.RESOLVED

    await eventually(resolved)
    await eventually(lambda: len(slack.calls_to("respond:cmd")) == 1)
    await services.dispatcher.run_once()
    assert slack.calls_to("chat.update")

    records = lines(captured)
    text = "\n".join(json.dumps(record) for record in records).lower()
    assert len(records) > 10
    for word in PERSONAL:
        leaks = [line for line in text.splitlines() if word.lower() in line]
        assert leaks == [], f"{word!r} was logged"

    # Each request has one line with its id, operation, role and key label
    requests = [r for r in records if r["logger"] == "hub.requests"]
    show = [r for r in requests if r.get("operation") == "Show"]
    assert len(show) == 1
    assert show[0]["role"] == "widget" and show[0]["key_label"] == "web banner"
    assert show[0]["request_id"] == shown.headers["x-request-id"]
    assert show[0]["status"] == 200 and show[0]["level"] == "INFO"
    assert {r["request_id"] for r in requests} == {r["request_id"] for r in requests} and len(
        {r["request_id"] for r in requests}
    ) == len(requests)
    slack_lines = [r for r in requests if r["message"].startswith("POST /slack/events")]
    assert len(slack_lines) == 3


async def test_a_sane_incoming_request_id_is_kept_and_others_replaced(
    http: httpx.AsyncClient,
) -> None:
    kept = await http.get("/healthz", headers={"X-Request-ID": "lb-7f3a9c2e-0001"})
    replaced = await http.get("/healthz", headers={"X-Request-ID": "bad id\nwith newline"})

    assert kept.headers["x-request-id"] == "lb-7f3a9c2e-0001"
    assert len(replaced.headers["x-request-id"]) == 32


def test_readable_lines_on_a_terminal_and_json_elsewhere() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    try:
        terminal, pipe = Terminal(), io.StringIO()
        configure_logging("INFO", stream=terminal)
        logging.getLogger("hub.test").info("hub ready")
        configure_logging("INFO", stream=pipe)
        logging.getLogger("hub.test").info("hub ready")
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])

    assert "INFO    hub.test: hub ready" in terminal.getvalue()
    record = json.loads(pipe.getvalue())
    assert (record["level"], record["logger"], record["message"]) == (
        "INFO",
        "hub.test",
        "hub ready",
    )
    assert "time" in record
