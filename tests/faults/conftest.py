"""Fixtures of the fault tests that break a database of their own: a durable server
(failpoints apply to a whole server, and some tests kill it and start it again), the
test's own client that arms and disarms the failpoints, and a hub on that server whose
background workers the test runs itself."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from pymongo import AsyncMongoClient
from pymongo.errors import PyMongoError
from starlette.applications import Starlette

from hub.clock import FrozenClock
from hub.db import EmbeddedDatabase, make_client
from hub.server.app import create_app
from hub.settings import Settings
from tests.support.clock import START

DB_TIMEOUT_MS = 2500


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[EmbeddedDatabase]:
    """A durable server of its own: failpoints apply to the whole server, and it is
    killed and started again."""
    server = EmbeddedDatabase(tmp_path / "db", test_commands=True)
    server.start()
    try:
        await server.wait_ready()
        yield server
    finally:
        server.stop(timeout=5)


@pytest.fixture
async def control(server: EmbeddedDatabase) -> AsyncIterator[AsyncMongoClient[dict[str, Any]]]:
    """The test's own client, which arms and disarms the failpoints."""
    client = make_client(server.uri)
    yield client
    with contextlib.suppress(PyMongoError):
        await client.admin.command("configureFailPoint", "failCommand", mode="off")
    await client.close()


@pytest.fixture
async def hub(server: EmbeddedDatabase, tmp_path: Path) -> AsyncIterator[Starlette]:
    """A hub on `server` without background workers: the test runs the folder or the
    tagger itself, so it decides when a batch runs."""
    settings = Settings(
        _env_file=None,
        mongodb_uri=SecretStr(server.uri),
        data_dir=tmp_path / "data",
        db_timeout_ms=DB_TIMEOUT_MS,
        background_workers=False,
        retention_daily=False,
        rate_limit_per_address="",
        rate_limit_per_token="",
    )
    app = create_app(settings, FrozenClock(START))
    async with app.router.lifespan_context(app):
        yield app
