"""Request-size and rate limits on the public endpoints."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from hub.clock import FrozenClock
from hub.models.common import Role
from hub.models.survey import Survey
from hub.server.app import create_app
from hub.services import Services
from hub.settings import Settings

QUERY = {"query": "{ surveys { key } }"}


@pytest.fixture
async def limited(settings: Settings, clock: FrozenClock) -> AsyncIterator[Starlette]:
    strict = settings.model_copy(
        update={
            "rate_limit_per_address": "5/minute",
            "rate_limit_per_token": "3/minute",
            "max_body_bytes": 4096,
        }
    )
    app = create_app(strict, clock)
    async with app.router.lifespan_context(app):
        yield app


def client_from(app: Starlette, address: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 50000))
    return httpx.AsyncClient(transport=transport, base_url="http://hub.test")


async def post(
    client: httpx.AsyncClient, token: str | None = None, **kwargs: Any
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return await client.post("/graphql", headers=headers, **kwargs)


async def test_a_flood_from_one_address_is_refused_and_others_are_served(
    limited: Starlette,
) -> None:
    async with (
        client_from(limited, "203.0.113.7") as flood,
        client_from(limited, "198.51.100.2") as other,
    ):
        answers = [await post(flood, json=QUERY) for _ in range(8)]
        calm = await post(other, json=QUERY)
        health = await flood.get("/healthz")

    assert [a.status_code for a in answers] == [200] * 5 + [429] * 3
    refused = answers[-1]
    assert refused.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert calm.status_code == 200
    assert health.status_code == 200


async def test_a_token_is_limited_wherever_it_comes_from(
    limited: Starlette, services: Services
) -> None:
    _, busy = await services.keys.create(Role.VIEWER, "busy")
    _, quiet = await services.keys.create(Role.VIEWER, "quiet")

    codes = []
    for number in range(5):
        async with client_from(limited, f"192.0.2.{number}") as client:
            codes.append((await post(client, busy, json=QUERY)).status_code)
    async with client_from(limited, "192.0.2.99") as client:
        other = await post(client, quiet, json=QUERY)

    assert codes == [200, 200, 200, 429, 429]
    assert other.status_code == 200


async def test_an_oversized_body_is_refused_and_changes_nothing(
    limited: Starlette, services: Services
) -> None:
    _, admin = await services.keys.create(Role.ADMIN, "admin")
    big = {
        "query": 'mutation($p: String!) { createSurvey(input: {key: "big", metric: NPS, '
        'product: $p, defaultLocale: "en", channels: [LINK], texts: [{locale: "en", '
        'question: "q", followUp: "f", thankYou: "t"}]}) { __typename } }',
        "variables": {"p": "x" * 10_000},
    }

    async with client_from(limited, "192.0.2.50") as client:
        declared = await post(client, admin, json=big)

        async def chunks() -> AsyncIterator[bytes]:
            for _ in range(10):
                yield b"x" * 1000

        streamed = await client.post(
            "/graphql",
            content=chunks(),
            headers={"Authorization": f"Bearer {admin}", "content-type": "application/json"},
        )

    assert declared.status_code == 413
    assert declared.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"
    assert streamed.status_code == 413
    assert await Survey.find_all().count() == 0


def test_a_malformed_rate_is_a_clear_setting_error() -> None:
    with pytest.raises(ValueError, match="rate_limit_per_address"):
        Settings(_env_file=None, rate_limit_per_address="lots")
