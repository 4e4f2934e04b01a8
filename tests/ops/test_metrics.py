"""/metrics: guarded by its token (or on its own port), and its values follow what the
hub does: requests per GraphQL operation, the outbox backlog, deliveries, claims."""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from graphql import GraphQLError
from prometheus_client.parser import text_string_to_metric_families
from starlette.applications import Starlette

from graphql_schema.telemetry import error_outcome
from hub.clock import FrozenClock
from hub.db import free_port
from hub.models.common import Role
from hub.models.privacy import (
    AuditActor,
    RightsRequestStatus,
    RightsRequestType,
    VerificationMethod,
)
from hub.server.app import create_app
from hub.server.operations import KNOWN_OPERATIONS
from hub.services import Services
from hub.services.platform.outbox import Hold
from hub.services.privacy.rights import NewRequest
from hub.settings import Settings
from tests.support.slack import FakeSlack
from tests.support.widget import Widget, follow_up_of

TOKEN = "metrics-token-for-tests"
SURVEYS = "query ListSurveys { surveys { key } }"
CLAIM = "mutation ClaimFollowUp($id: ID!) { claimFollowUp(id: $id) { __typename } }"


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


Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def parse(text: str) -> Samples:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


async def scrape(http: httpx.AsyncClient) -> Samples:
    answer = await http.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain; version=0.0.4")
    return parse(answer.text)


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


async def test_metrics_need_the_token(http: httpx.AsyncClient) -> None:
    assert (await http.get("/metrics")).status_code == 401
    wrong = await http.get("/metrics", headers={"Authorization": "Bearer not-the-token"})
    assert wrong.status_code == 401
    assert TOKEN not in wrong.text


async def test_without_token_or_port_there_is_no_metrics_endpoint(
    ops_settings: Settings, clock: FrozenClock
) -> None:
    settings = ops_settings.model_copy(update={"metrics_token": None})
    app = create_app(settings, clock)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as http:
            assert (await http.get("/metrics")).status_code == 404


async def test_requests_are_counted_per_operation_and_outcome(
    http: httpx.AsyncClient, hub: Starlette
) -> None:
    services: Services = hub.state.services
    _, viewer = await services.keys.create(Role.VIEWER, "dashboard")
    _, widget = await services.keys.create(Role.WIDGET, "site")
    before = await scrape(http)

    for _ in range(3):
        await http.post(
            "/graphql", json={"query": SURVEYS}, headers={"Authorization": f"Bearer {viewer}"}
        )
    await http.post(
        "/graphql", json={"query": SURVEYS}, headers={"Authorization": f"Bearer {widget}"}
    )

    after = await scrape(http)
    ok = value(after, "hub_requests_total", operation="ListSurveys", outcome="ok")
    assert ok - value(before, "hub_requests_total", operation="ListSurveys", outcome="ok") == 3
    assert (
        value(after, "hub_requests_total", operation="ListSurveys", outcome="error:FORBIDDEN") == 1
    )
    assert (
        value(after, "hub_request_duration_seconds_count", operation="ListSurveys", outcome="ok")
        == 3
    )


async def stranger_requests(http: httpx.AsyncClient, viewer: str) -> None:
    """What a stranger may send: operations under made-up names, with no token and
    with a valid one, an error of several codes at once, and made-up paths."""
    name = "Anon" + secrets.token_hex(6)
    await http.post("/graphql", json={"query": f"query {name} {{ __typename }}"})
    await http.post(
        "/graphql",
        json={"query": f"query {name} {{ surveys {{ key }} }}"},
        headers={"Authorization": f"Bearer {viewer}"},
    )
    await http.post(
        "/graphql",
        json={"query": f'query {name} {{ surveys {{ key }} survey(key: "{name}") {{ key }} }}'},
    )
    await http.get(f"/{secrets.token_hex(4)}/{secrets.token_hex(4)}")
    await http.post(f"/s/{secrets.token_hex(8)}/{secrets.token_hex(4)}")


async def test_made_up_operation_names_and_paths_add_no_series(
    http: httpx.AsyncClient, hub: Starlette
) -> None:
    services: Services = hub.state.services
    _, viewer = await services.keys.create(Role.VIEWER, "dashboard")
    # Given every kind of stranger request made once
    await stranger_requests(http, viewer)
    before = await scrape(http)

    # When 1,000 more are made, each under new names
    for _ in range(200):
        await stranger_requests(http, viewer)

    # Then /metrics has not one series more
    after = await scrape(http)
    assert sorted(set(after) - set(before)) == []
    assert value(after, "hub_requests_total", operation="other", outcome="ok") == 402


async def test_the_widgets_operations_are_known_ones(http: httpx.AsyncClient) -> None:
    script = (await http.get("/widget.js")).text
    found = re.search(r"var OPERATIONS = (\{.*?\});", script)
    assert found is not None
    names = set(json.loads(found.group(1)))

    assert len(names) == 7  # WidgetEligibilityDebug with data-debug
    assert names <= KNOWN_OPERATIONS


async def test_an_unknown_persisted_id_is_counted_as_refused(http: httpx.AsyncClient) -> None:
    unknown = {"persistedQuery": {"version": 1, "sha256Hash": "0" * 64}}

    await http.post("/graphql", json={"operationName": "WidgetLogin", "extensions": unknown})

    after = await scrape(http)
    outcome = "error:PERSISTED_QUERY_NOT_FOUND"
    assert value(after, "hub_requests_total", operation="WidgetLogin", outcome=outcome) == 1


async def test_backlog_deliveries_and_claims_move_the_metrics(
    http: httpx.AsyncClient, hub: Starlette, clock: FrozenClock, slack: FakeSlack
) -> None:
    services: Services = hub.state.services
    await services.routing.set_defaults("CROUTED", "CESCALATE")
    widget = Widget(services)

    # Given a detractor's comment waiting 30 s to be posted to two channels
    response = await widget.answer(3)
    clock.advance(timedelta(seconds=30))
    waiting = await scrape(http)
    for channel in ("CROUTED", "CESCALATE"):
        labels = {"kind": "slack.post", "channel": channel}
        assert value(waiting, "hub_outbox_messages", status="pending", **labels) == 1
        assert value(waiting, "hub_outbox_oldest_age_seconds", **labels) == 30
    assert value(waiting, "hub_follow_ups", status="open") == 1

    # When Slack fails once and then takes both posts
    slack.fail("chat.postMessage", 500)
    await services.dispatcher.run_once()
    clock.advance(timedelta(minutes=5))
    await services.dispatcher.run_once()
    delivered = await scrape(http)
    assert value(delivered, "hub_outbox_deliveries_total", kind="slack.post", result="retry") == 1
    assert (
        value(delivered, "hub_outbox_deliveries_total", kind="slack.post", result="delivered") == 2
    )
    assert (
        value(
            delivered, "hub_outbox_messages", kind="slack.post", channel="CROUTED", status="pending"
        )
        == 0
    )

    # And an agent claims the follow-up
    _, agent = await services.keys.create(Role.AGENT, "support desk")
    follow_up = await follow_up_of(response)
    claimed = await http.post(
        "/graphql",
        json={"query": CLAIM, "variables": {"id": str(follow_up.id)}},
        headers={"Authorization": f"Bearer {agent}"},
    )
    assert claimed.json()["data"]["claimFollowUp"]["__typename"] == "FollowUp"
    after_claim = await scrape(http)
    assert value(after_claim, "hub_follow_ups", status="claimed") == 1
    assert value(after_claim, "hub_follow_ups", status="open") == 0
    assert value(after_claim, "hub_requests_total", operation="ClaimFollowUp", outcome="ok") == 1


async def test_held_slack_messages_are_counted_per_reason_from_a_fixed_set(
    http: httpx.AsyncClient, hub: Starlette, slack: FakeSlack
) -> None:
    services: Services = hub.state.services
    await services.routing.set_defaults("CROUTED", None)
    before = await scrape(http)
    assert value(before, "hub_slack_held", reason="not_in_channel") == 0

    # Given two posts to a channel without the bot, and one refused with a code of
    # Slack's that the hub does not know (a made-up one must not become a label)
    slack.bot_channels = set()
    widget = Widget(services)
    await widget.answer(4)
    await widget.answer(5)
    await services.dispatcher.run_once()
    made_up = "made_up_" + secrets.token_hex(4)
    await services.outbox.enqueue("slack.post", "odd", "CODD", {})
    odd = await services.outbox.claim("owner", ["slack.post"])
    assert odd is not None
    await services.outbox.settle(odd, "owner", Hold(made_up))

    samples = await scrape(http)

    # Then they are counted per reason, and the attempts as held
    assert value(samples, "hub_slack_held", reason="not_in_channel") == 2
    assert value(samples, "hub_slack_held", reason="other") == 1
    assert value(samples, "hub_slack_held", reason="invalid_auth") == 0
    labels = {dict(labels).get("reason") for name, labels in samples if name == "hub_slack_held"}
    assert made_up not in labels
    assert value(samples, "hub_outbox_deliveries_total", kind="slack.post", result="held") == 2
    held = {"kind": "slack.post", "channel": "CROUTED", "status": "held"}
    assert value(samples, "hub_outbox_messages", **held) == 2


async def test_metrics_on_their_own_port_without_a_token(
    ops_settings: Settings, clock: FrozenClock
) -> None:
    port = free_port()
    settings = ops_settings.model_copy(
        update={"metrics_token": None, "metrics_port": port, "background_workers": False}
    )
    app = create_app(settings, clock)
    async with app.router.lifespan_context(app):
        await Widget(app.state.services).answer(9)
        async with httpx.AsyncClient() as client:
            answer = await client.get(f"http://127.0.0.1:{port}/metrics")
        assert answer.status_code == 200
        assert value(parse(answer.text), "hub_follow_ups", status="open") == 1
    with pytest.raises(httpx.ConnectError):
        async with httpx.AsyncClient() as client:
            await client.get(f"http://127.0.0.1:{port}/metrics")


async def test_rights_requests_and_retention_runs_move_the_metrics(
    http: httpx.AsyncClient, hub: Starlette, clock: FrozenClock
) -> None:
    services: Services = hub.state.services
    officer = AuditActor(key_id="k1", role="privacy_officer", label="officer")
    before = await scrape(http)
    assert value(before, "hub_rights_requests_overdue") == 0

    # Given two requests filed today, one of which is then rejected
    for _ in range(2):
        await services.rights.file(
            NewRequest(RightsRequestType.ACCESS, user_id="user-a", email="a@example.com"),
            officer,
            VerificationMethod.OTHER_MEANS,
            "checked the customer's account",
        )
    first = (await services.rights.list_requests())[0]
    await services.rights.transition(
        str(first.id), RightsRequestStatus.REJECTED, "duplicate", officer
    )
    now = await scrape(http)
    assert value(now, "hub_rights_requests_open", status="verified") == 1
    assert value(now, "hub_rights_requests_overdue") == 0

    # When a month and a day pass, and retention runs (and a dry run, which changes nothing)
    clock.advance(timedelta(days=32))
    await services.retention.run(True, officer)
    await services.retention.run(False, officer)

    # Then the open request is overdue and one retention run is counted
    later = await scrape(http)
    assert value(later, "hub_rights_requests_overdue") == 1
    assert value(later, "hub_retention_runs") == 1
    assert value(later, "hub_retention_changed", what="responses_anonymised") == 0


def test_error_outcomes_are_a_fixed_set() -> None:
    def errors(*codes: str | None) -> list[GraphQLError]:
        return [GraphQLError("x", extensions={"code": code} if code else None) for code in codes]

    assert error_outcome(errors("FORBIDDEN", "FORBIDDEN")) == "error:FORBIDDEN"
    assert error_outcome(errors("NOT_FOUND", "FORBIDDEN")) == "error:MIXED"
    assert error_outcome(errors(None)) == "error:ERROR"
    assert error_outcome(errors("MADE_UP_" + secrets.token_hex(4))) == "error:ERROR"
