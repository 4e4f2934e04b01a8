"""A document beyond the depth, alias or token limit is refused before it runs with
one top-level error carrying QUERY_TOO_COMPLEX and the limit it passed, over HTTP and
over the websocket, and /metrics counts it under that code."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr
from starlette.applications import Starlette
from websockets.asyncio.client import connect
from websockets.typing import Subprotocol

from hub.clock import FrozenClock
from hub.models.common import Role
from hub.server.app import create_app
from hub.services import Services
from hub.settings import Settings
from tests.support.graphql import GraphQLClient
from tests.support.serving import serving

METRICS_TOKEN = "metrics-token-for-tests"

# Each one beyond exactly one of the small limits below (depth 3, 2 aliases, 50 tokens).
DEEP = "query { responses(first: 1) { edges { node { survey { key } } } } }"
ALIASED = "query { a: surveys { key } b: surveys { key } c: surveys { key } }"
LONG = "query { surveys { " + " ".join("key" for _ in range(60)) + " } }"
TOO_COMPLEX = [
    (DEEP, "depth", "'anonymous' exceeds maximum operation depth of 3"),
    (ALIASED, "aliases", "3 aliases found. Allowed: 2"),
    (LONG, "tokens", "Syntax Error: Document contains more than 50 tokens. Parsing aborted."),
]

DEEP_EVENTS = (
    "subscription { responseEvents { response { survey { contactRules { daysAfterAnswer } } } } }"
)
ALIASED_EVENTS = "subscription { responseEvents { a: kind b: kind c: kind } }"
LONG_EVENTS = "subscription { responseEvents { " + " ".join("kind" for _ in range(60)) + " } }"
TOO_COMPLEX_EVENTS = [
    (DEEP_EVENTS, "depth"),
    (ALIASED_EVENTS, "aliases"),
    (LONG_EVENTS, "tokens"),
]


@pytest.fixture
async def hub(settings: Settings, clock: FrozenClock) -> AsyncIterator[Starlette]:
    small = settings.model_copy(
        update={
            "max_query_depth": 3,
            "max_query_aliases": 2,
            "max_query_tokens": 50,
            "metrics_token": SecretStr(METRICS_TOKEN),
            "background_workers": False,
        }
    )
    app = create_app(small, clock)
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
async def gql(hub: Starlette) -> AsyncIterator[GraphQLClient]:
    services: Services = hub.state.services
    tokens = {role: (await services.keys.create(role, f"test {role.value}"))[1] for role in Role}
    transport = httpx.ASGITransport(app=hub)
    async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as http:
        yield GraphQLClient(http, tokens)


@pytest.mark.parametrize(("document", "limit", "message"), TOO_COMPLEX)
async def test_a_document_beyond_a_limit_is_refused_with_its_code(
    gql: GraphQLClient, document: str, limit: str, message: str
) -> None:
    # The second time, the document's validation comes from the cache.
    for _ in range(2):
        body = await gql.raw(document, role=Role.ADMIN)

        assert body["data"] is None
        (error,) = body["errors"]
        assert error["extensions"] == {"code": "QUERY_TOO_COMPLEX", "limit": limit}
        assert error["message"] == message


async def test_a_mistake_in_a_document_still_carries_no_code(gql: GraphQLClient) -> None:
    body = await gql.raw("query { surveys { noSuchField } }", role=Role.ADMIN)

    (error,) = body["errors"]
    assert "extensions" not in error


async def test_a_document_within_the_limits_runs(gql: GraphQLClient) -> None:
    data = await gql.ok("query { a: surveys { key } b: surveys { key } }", role=Role.ADMIN)

    assert data == {"a": [], "b": []}


async def test_refusals_are_counted_under_their_code(gql: GraphQLClient) -> None:
    for document, _, _ in TOO_COMPLEX:
        await gql.raw(document, role=Role.ADMIN)

    scraped = await gql.http.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})

    counted = {
        sample.labels["outcome"]: sample.value
        for family in text_string_to_metric_families(scraped.text)
        for sample in family.samples
        if sample.name == "hub_requests_total" and sample.labels["operation"] == "anonymous"
    }
    assert counted == {"error:QUERY_TOO_COMPLEX": 3}


async def subscribe(address: str, token: str, document: str) -> dict[str, Any]:
    """The first answer to a subscription sent over graphql-transport-ws."""
    async with connect(
        f"ws://{address}/graphql", subprotocols=[Subprotocol("graphql-transport-ws")]
    ) as socket:
        init = {"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}
        await socket.send(json.dumps(init))
        assert json.loads(await socket.recv())["type"] == "connection_ack"
        await socket.send(
            json.dumps({"id": "1", "type": "subscribe", "payload": {"query": document}})
        )
        # A hang guard only: the refusal comes before anything runs.
        async with asyncio.timeout(30):
            answer: dict[str, Any] = json.loads(await socket.recv())
        return answer


async def test_a_subscription_beyond_a_limit_is_refused_with_its_code(
    hub: Starlette, gql: GraphQLClient
) -> None:
    async with serving(hub) as address:
        answers = [
            await subscribe(address, gql.tokens[Role.VIEWER], document)
            for document, _ in TOO_COMPLEX_EVENTS
        ]

    for answer, (_, limit) in zip(answers, TOO_COMPLEX_EVENTS, strict=True):
        assert answer["type"] == "error", answer
        (error,) = answer["payload"]
        assert error["extensions"] == {"code": "QUERY_TOO_COMPLEX", "limit": limit}
