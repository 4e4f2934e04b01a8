"""`feedback-hub retention run [--dry-run]` prints the report (every count, old
people included); a dry run changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hub.clock import FrozenClock
from hub.db import Database
from hub.models.activity import Login, Person
from hub.models.common import UserIdentity
from hub.services import Services
from hub.settings import Settings
from tests.support.cli import cli

# Subprocesses, real servers, restarts or fuzzing: not in `make test-fast`.
pytestmark = pytest.mark.slow


async def test_retention_from_the_command_line(
    settings: Settings, database: Database, services: Services, clock: FrozenClock
) -> None:
    clock.set(datetime(2020, 1, 1, tzinfo=UTC))  # long before the real now
    await services.responses.record_login(UserIdentity(id="subject-a-4711"))

    dry = cli(settings, "retention", "run", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "logins_deleted: 1" in dry.stdout and "dry_run: True" in dry.stdout
    assert "people_deleted: 1" in dry.stdout and "outbox_deleted: 0" in dry.stdout
    assert await Login.count() == 1 and await Person.count() == 1

    real = cli(settings, "retention", "run")
    assert real.returncode == 0, real.stderr
    assert "logins_deleted: 1" in real.stdout and "people_deleted: 1" in real.stdout
    assert await Login.count() == 0 and await Person.count() == 0
    assert [entry.action for entry in await services.audit.entries()] == [
        "retention.run",
        "retention.run",
    ]
