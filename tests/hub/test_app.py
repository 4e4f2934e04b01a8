"""The HTTP surface: health checks, GraphiQL, query limits and the error policy."""

from __future__ import annotations

import logging

import httpx
import pytest
from starlette.applications import Starlette

from hub.clock import FrozenClock
from hub.db import make_client
from hub.models.common import Role
from hub.server.app import READINESS_SECONDS, create_app
from hub.services import Services
from hub.services.widget.responses import ResponseService
from hub.settings import Settings
from tests.factories import make_survey
from tests.support.commands import CommandCounter
from tests.support.graphql import GraphQLClient

SURVEYS = "query { surveys { key } }"


async def test_health_and_readiness(http: httpx.AsyncClient) -> None:
    health = await http.get("/healthz")
    ready = await http.get("/readyz")

    assert (health.status_code, health.json()) == (200, {"status": "ok"})
    assert (ready.status_code, ready.json()["status"]) == (200, "ready")


async def test_not_ready_without_the_database(app: Starlette, http: httpx.AsyncClient) -> None:
    await app.state.client.close()

    ready = await http.get("/readyz")

    assert (ready.status_code, ready.json()["status"]) == (503, "not ready")


async def test_readiness_asks_the_database_with_a_short_limit_of_its_own(
    app: Starlette, http: httpx.AsyncClient, mongo_uri: str, settings: Settings
) -> None:
    """A probe while the database hangs answers 503 within seconds, not after the
    calls' own limit (a minute in the tests): the ping carries a limit of its own."""
    assert settings.db_timeout_ms / 1000 > READINESS_SECONDS
    counter = CommandCounter()
    counting = make_client(mongo_uri, event_listeners=[counter])
    served, app.state.client = app.state.client, counting
    try:
        ready = await http.get("/readyz")
    finally:
        app.state.client = served
        await counting.close()

    assert ready.status_code == 200
    assert 0 < counter.first("ping")["maxTimeMS"] <= READINESS_SECONDS * 1000


async def test_graphiql_is_served(http: httpx.AsyncClient) -> None:
    page = await http.get("/graphql", headers={"accept": "text/html"})

    assert page.status_code == 200
    assert "graphiql" in page.text.lower()


async def test_mutations_are_not_accepted_over_get(
    http: httpx.AsyncClient, tokens: dict[Role, str]
) -> None:
    response = await http.get(
        "/graphql",
        params={"query": 'mutation { pauseSurvey(key: "x") { __typename } }'},
        headers={"Authorization": f"Bearer {tokens[Role.ADMIN]}"},
    )

    assert response.status_code == 400


async def test_deep_queries_are_refused(
    settings: Settings, clock: FrozenClock, tokens: dict[Role, str]
) -> None:
    shallow = create_app(settings.model_copy(update={"max_query_depth": 3}), clock)
    deep = "query { responses(first: 1) { edges { node { survey { key } } } } }"

    async with shallow.router.lifespan_context(shallow):
        transport = httpx.ASGITransport(app=shallow)
        async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as client:
            body = (
                await client.post(
                    "/graphql",
                    json={"query": deep},
                    headers={"Authorization": f"Bearer {tokens[Role.VIEWER]}"},
                )
            ).json()

    assert body["data"] is None
    assert "exceeds maximum operation depth of 3" in body["errors"][0]["message"]


async def test_alias_bombs_are_refused(gql: GraphQLClient) -> None:
    aliases = " ".join(f"a{n}: surveys {{ key }}" for n in range(50))

    body = await gql.raw(f"query {{ {aliases} }}", role=Role.ADMIN)

    assert body["data"] is None
    assert "aliases" in body["errors"][0]["message"]


async def test_huge_documents_are_refused(gql: GraphQLClient) -> None:
    fields = " ".join("key" for _ in range(3000))

    body = await gql.raw(f"query {{ surveys {{ {fields} }} }}", role=Role.ADMIN)

    assert body["data"] is None
    assert "token" in body["errors"][0]["message"].lower()


async def test_unexpected_errors_are_masked_and_logged_without_personal_data(
    services: Services,
    gql: GraphQLClient,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await make_survey(services)

    email = "kari@example.org"

    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError(f"failed for {email}")

    monkeypatch.setattr(ResponseService, "record_login", broken)
    caplog.set_level(logging.DEBUG, logger="hub")

    body = await gql.raw(
        'mutation { recordLogin(user: {id: "kari-1", email: "kari@example.org"}) { __typename } }',
        role=Role.WIDGET,
    )

    assert body["errors"][0]["message"] == "Unexpected error."
    assert body["errors"][0]["extensions"] == {"code": "INTERNAL_SERVER_ERROR"}
    assert "kari" not in str(body)
    assert "RuntimeError" in caplog.text
    assert "kari" not in caplog.text
