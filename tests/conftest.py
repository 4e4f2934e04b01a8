"""Fixtures for every layer: one database server per test session, a clean database
per test, an injected clock, the ASGI app with its lifespan, and GraphQL helpers."""

from __future__ import annotations

import io
import logging
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from pymongo import AsyncMongoClient, MongoClient
from starlette.applications import Starlette

from hub.clock import FrozenClock
from hub.db import Database, EmbeddedDatabase, init_models, make_client
from hub.logs import PAYLOAD_LOGGERS, HubJsonFormatter, RequestFilter
from hub.models.common import Role
from hub.server.app import create_app
from hub.services import Services
from hub.settings import Settings
from tests.support.clock import START
from tests.support.graphql import GraphQLClient

TESTS = Path(__file__).resolve().parent

# A busy machine is not a database outage. Every hub a test builds gives each database
# call and each GraphQL request a minute or more (production: 5, 10 and 15 s), so a test
# never fails because the machine was slow; the tests of those limits set their own.
# The tests run the dispatcher step by step, a post after another in the same channel
# at once: they do not pace posts; tests/bots/slack/test_post_batches.py does.
for _name, _value in {
    "HUB_DB_TIMEOUT_MS": "60000",
    "HUB_WRITE_TIMEOUT_MS": "120000",
    "HUB_REQUEST_TIMEOUT_MS": "120000",
    "HUB_SLACK_POST_GAP_SECONDS": "0",
}.items():
    os.environ.setdefault(_name, _value)
# Whole folders that `make test-fast` leaves out; slow tests elsewhere carry @pytest.mark.slow.
FOLDER_MARKERS = {"browser": "browser", "faults": "faults"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        path = item.path.resolve()
        parts = path.relative_to(TESTS).parts if path.is_relative_to(TESTS) else ()
        marker = FOLDER_MARKERS.get(parts[0]) if len(parts) > 1 else None
        if marker is not None:
            item.add_marker(marker)


def stop_ttl_monitor(uri: str) -> None:
    """Stop a MongoDB server's TTL monitor for the run: the tests' frozen clock stores
    times long past by the wall clock the monitor reads."""
    client: MongoClient[dict[str, Any]] = MongoClient(uri)
    with client:
        client.admin.command("setParameter", 1, ttlMonitorEnabled=False)


@pytest.fixture(scope="session")
def mongo_uri() -> Iterator[str]:
    """A real MongoDB-protocol server: HUB_TEST_MONGODB_URI, or SecantusDB started here."""
    external = os.environ.get("HUB_TEST_MONGODB_URI")
    if external:
        stop_ttl_monitor(external)
        yield external
        return
    # Durability is the fault tests' concern; their own servers flush on every commit.
    # The tests' clock is frozen in the past: no TTL sweep may delete what they store.
    server = EmbeddedDatabase(":memory:", durable=False, ttl_monitor=False)
    server.start()
    try:
        import asyncio

        asyncio.run(server.wait_ready())
        yield server.uri
    finally:
        server.stop()


@pytest.fixture(scope="session")
async def mongo_client(mongo_uri: str) -> AsyncIterator[AsyncMongoClient[dict[str, Any]]]:
    client = make_client(mongo_uri)
    yield client
    await client.close()


@pytest.fixture
async def database(mongo_client: AsyncMongoClient[dict[str, Any]]) -> AsyncIterator[Database]:
    """A fresh database for one test, with every model bound and indexed."""
    name = f"test_{uuid.uuid4().hex[:12]}"
    db = mongo_client[name]
    await init_models(db)
    yield db
    await mongo_client.drop_database(name)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture
def settings(mongo_uri: str, database: Database, tmp_path: Path) -> Settings:
    return Settings(
        _env_file=None,
        mongodb_uri=SecretStr(mongo_uri),
        db_name=database.name,
        data_dir=tmp_path / "data",
        # Many calls from one address in a test are not a flood; test_limits turns them on.
        rate_limit_per_address="",
        rate_limit_per_token="",
        # A retention run at start would write beside what a test checks; the retention
        # tests run it themselves.
        retention_daily=False,
    )


@pytest.fixture
def services(settings: Settings, clock: FrozenClock) -> Services:
    return Services.build(settings, clock)


@pytest.fixture
async def app(
    settings: Settings, clock: FrozenClock, services: Services
) -> AsyncIterator[Starlette]:
    """The real ASGI app, its lifespan run (it opens its own database client). It shares
    the test's services, as one hub process shares them between its callers."""
    application = create_app(settings, clock, services)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def http(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as client:
        yield client


@pytest.fixture
async def tokens(services: Services) -> dict[Role, str]:
    """One token per role; the widget token may use every survey."""
    return {role: (await services.keys.create(role, f"test {role.value}"))[1] for role in Role}


@pytest.fixture
def gql(http: httpx.AsyncClient, tokens: dict[Role, str]) -> GraphQLClient:
    return GraphQLClient(http, tokens)


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """Everything logged, at DEBUG, as the hub writes it in production."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestFilter())
    handler.setFormatter(HubJsonFormatter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    # As configure_logging does: these libraries' debug logs quote whole payloads.
    saved = {name: logging.getLogger(name).level for name in PAYLOAD_LOGGERS}
    for name in PAYLOAD_LOGGERS:
        logging.getLogger(name).setLevel(logging.INFO)
    yield stream
    root.removeHandler(handler)
    root.setLevel(level)
    for name, saved_level in saved.items():
        logging.getLogger(name).setLevel(saved_level)
