"""The embedded database dies (SIGKILL) under a running hub: the hub notices, starts
it again on the same data folder, logs and counts the restart, and what was written
before is still there. When it cannot be started again, /healthz says so, so that a
process supervisor restarts the hub; once it can, the hub is whole again."""

from __future__ import annotations

import contextlib
import io
import json
import os
import signal
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from starlette.applications import Starlette

from hub.clock import FrozenClock
from hub.models.survey import Survey
from hub.server.app import create_app
from hub.settings import Settings
from tests.factories import make_survey
from tests.support.clock import START
from tests.support.waiting import eventually

METRICS_TOKEN = "metrics-token-0123456789"
# Hang guards on a busy machine: starting the database takes seconds, and the
# supervisor waits longer before each attempt that follows a failed one.
RESTART_WITHIN = 90.0


@pytest.fixture
async def hub(tmp_path: Path) -> AsyncIterator[Starlette]:
    settings = Settings(
        _env_file=None,
        data_dir=tmp_path / "data",
        metrics_token=SecretStr(METRICS_TOKEN),
        background_workers=False,
        retention_daily=False,
        rate_limit_per_address="",
        rate_limit_per_token="",
        # /readyz pings the database, which is down here for a while: not the long
        # limit the tests' hubs get for a busy machine (tests/conftest.py).
        db_timeout_ms=3000,
    )
    assert settings.mongodb_uri is None  # the embedded database
    app = create_app(settings, FrozenClock(START))
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
async def http(hub: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=hub)
    async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as client:
        yield client


def marker(hub: Starlette) -> dict[str, Any]:
    path = hub.state.settings.data_dir / "embedded-db.json"
    found: dict[str, Any] = json.loads(path.read_text())
    return found


async def restarts(http: httpx.AsyncClient) -> dict[str, float]:
    scraped = await http.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    counted = {}
    for line in scraped.text.splitlines():
        if line.startswith("hub_embedded_database_restarts_total{"):
            labels, value = line.split(" ")
            counted[labels.split('"')[1]] = float(value)
    return counted


def kill(pid: int) -> None:
    os.kill(pid, signal.SIGKILL)


@contextlib.asynccontextmanager
async def port_taken(port: int) -> AsyncIterator[None]:
    """Something else listens on the database's port, once the killed server has let
    it go (its exit takes a moment): the database cannot start there."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)

        def bound() -> bool:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                return False
            return True

        await eventually(bound, within=5)
        sock.listen()
        yield


async def test_a_killed_embedded_database_is_started_again(
    hub: Starlette, http: httpx.AsyncClient, captured: io.StringIO
) -> None:
    await make_survey(hub.state.services, key="kept")
    first = marker(hub)
    assert await restarts(http) == {"restarted": 0, "failed": 0}

    kill(first["pid"])

    health: list[int] = []

    async def started_again() -> bool:
        health.append((await http.get("/healthz")).status_code)
        with contextlib.suppress(OSError, ValueError):
            if marker(hub)["pid"] == first["pid"]:
                return False
        return (await http.get("/readyz")).status_code == 200

    await eventually(started_again, within=RESTART_WITHIN)
    assert set(health) == {200}
    assert marker(hub)["port"] == first["port"]
    assert [survey.key for survey in await Survey.find_all().to_list()] == ["kept"]
    assert await restarts(http) == {"restarted": 1, "failed": 0}
    logged = [json.loads(line) for line in captured.getvalue().splitlines()]
    messages = [entry["message"] for entry in logged if entry["logger"] == "hub.server.runtime"]
    assert any("embedded database exited (code -9)" in message for message in messages)
    assert any("embedded database started again" in message for message in messages)


async def test_a_database_that_cannot_start_again_makes_the_hub_unhealthy(
    hub: Starlette, http: httpx.AsyncClient
) -> None:
    first = marker(hub)

    kill(first["pid"])
    async with port_taken(first["port"]):

        async def unhealthy() -> bool:
            return (await http.get("/healthz")).status_code == 503

        await eventually(unhealthy, within=RESTART_WITHIN)
        answer = (await http.get("/healthz")).json()
        assert answer["status"] == "unhealthy"
        assert (await http.get("/readyz")).status_code == 503

    async def whole_again() -> bool:
        healthz = await http.get("/healthz")
        return healthz.status_code == 200 and (await http.get("/readyz")).status_code == 200

    await eventually(whole_again, within=RESTART_WITHIN)
    counted = await restarts(http)
    assert counted["restarted"] == 1
    assert counted["failed"] >= 3
