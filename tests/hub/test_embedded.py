"""The embedded database: started when no URI is set, stopped with the hub, and its
data still there on the next start."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hub.clock import FrozenClock
from hub.db import EmbeddedDatabase
from hub.models.survey import Survey
from hub.server.app import create_app
from hub.settings import Settings
from tests.factories import make_survey
from tests.support.clock import START

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
