"""The embedded database: started when no URI is set, stopped with the hub, and its
data still there on the next start."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pymongo import MongoClient
from pymongo.collection import Collection

from hub.clock import FrozenClock
from hub.db import EMBEDDED_LAUNCHER, EmbeddedDatabase
from hub.models.survey import Survey
from hub.server.app import create_app
from hub.settings import Settings
from tests.factories import make_survey
from tests.support.clock import START
from tests.support.network import free_port

# Subprocesses, real servers, restarts or fuzzing: not in `make test-fast`.
pytestmark = pytest.mark.slow


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


async def test_data_survives_a_restart_and_the_database_stops_with_the_hub(
    tmp_path: Path,
) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path / "data")
    assert settings.mongodb_uri is None

    first = create_app(settings, FrozenClock(START))
    async with first.router.lifespan_context(first):
        await make_survey(first.state.services, key="kept")
        marker = tmp_path / "data" / "embedded-db.json"
        assert marker.exists()
        pid = int(json.loads(marker.read_text())["pid"])
        assert alive(pid)

        # The CLI, run meanwhile, uses the running hub's database instead of a second one.
        listed = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", "hub.server.cli", "keys", "list"],
            env=dict(os.environ, HUB_DATA_DIR=str(tmp_path / "data")),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert listed.returncode == 0, listed.stderr
        assert listed.stdout.strip() == "No keys."

    assert not alive(pid)
    assert not marker.exists()

    second = create_app(settings, FrozenClock(START))
    async with second.router.lifespan_context(second):
        assert [survey.key for survey in await Survey.find_all().to_list()] == ["kept"]


async def test_a_server_without_the_ttl_monitor_is_configured_so_and_cleans_up() -> None:
    # The tests' own server runs so: its frozen clock stores times long past, which a
    # TTL sweep would otherwise delete in the middle of a test.
    server = EmbeddedDatabase(":memory:", durable=False, ttl_monitor=False)
    server.start()
    try:
        await server.wait_ready()  # a key SecantusDB does not know would stop it
        config = server.config_file
        assert "ttl_sweep_seconds = 0" in config.read_text()
        assert server.command(auth=False)[-2:] == ["--config", str(config)]
    finally:
        server.stop()
    assert not config.exists()


@contextlib.contextmanager
def _launched(config: Path) -> Iterator[Collection[dict[str, object]]]:
    """A server started by the hub's launcher with `config`, holding one document
    its TTL index says expired long ago: that collection."""
    port = free_port()
    command = [sys.executable, "-m", EMBEDDED_LAUNCHER, "--port", str(port)]
    command += ["--storage-path", ":memory:", "--log-level", "WARNING", "--config", str(config)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    try:
        client: MongoClient[dict[str, object]] = MongoClient(
            f"mongodb://127.0.0.1:{port}/?directConnection=true", serverSelectionTimeoutMS=60_000
        )
        with client:
            sessions = client.ttl_check.sessions
            sessions.create_index("expires_at", expireAfterSeconds=0)
            sessions.insert_one({"expires_at": START})
            yield sessions
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_the_launcher_hands_the_server_its_ttl_sweep_period(tmp_path: Path) -> None:
    # SecantusDB's own command line reads `ttl_sweep_seconds` from its file but never
    # passes it on: its server swept every minute whatever the file said.
    sweeping = tmp_path / "sweeping.toml"
    sweeping.write_text("[storage]\nttl_sweep_seconds = 0.2\n")
    not_sweeping = tmp_path / "not-sweeping.toml"
    not_sweeping.write_text("[storage]\nttl_sweep_seconds = 0\n")

    with _launched(sweeping) as swept, _launched(not_sweeping) as kept:
        deadline = time.monotonic() + 60
        while swept.count_documents({}) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert swept.count_documents({}) == 0, "a sweep every 0.2 s never came"
        time.sleep(1.0)  # five periods more of the other server's sweep
        assert kept.count_documents({}) == 1
