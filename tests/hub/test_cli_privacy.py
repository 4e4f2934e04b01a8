"""`feedback-hub privacy reapply` and `feedback-hub doctor --fix`: after a restore of
the database, the erasure ledger erases the people erased since the backup again,
reports what it changed, and a second run changes nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import pytest

from hub.db import Database
from hub.models.common import Channel
from hub.models.privacy import AuditActor, RightsRequestType, VerificationMethod
from hub.models.response import Response
from hub.services import Services
from hub.services.privacy.rights import NewRequest
from hub.settings import Settings
from tests.factories import context, make_survey, person

# Subprocesses, real servers, restarts or fuzzing: not in `make test-fast`.
pytestmark = pytest.mark.slow

OFFICER = AuditActor(key_id="k-officer", role="privacy_officer", label="officer")
SUBJECT = person(7, email="Golf.Person@Example.com")


def hub_cli(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    assert settings.mongodb_uri is not None
    env = dict(
        os.environ,
        HUB_MONGODB_URI=settings.mongodb_uri.get_secret_value(),
        HUB_DB_NAME=settings.db_name,
        HUB_DATA_DIR=str(settings.data_dir),
    )
    return subprocess.run(
        [sys.executable, "-m", "hub.server.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


async def _snapshot(database: Database) -> dict[str, list[dict[str, Any]]]:
    return {
        name: [doc async for doc in database[name].find()]
        for name in await database.list_collection_names()
    }


async def _restore(database: Database, snapshot: dict[str, list[dict[str, Any]]]) -> None:
    for name in await database.list_collection_names():
        await database[name].delete_many({})
    for name, documents in snapshot.items():
        if documents:
            await database[name].insert_many(documents)


async def _given_an_erased_person_restored(services: Services, database: Database) -> None:
    await make_survey(services)
    display = await services.responses.record_display(
        "nps-main", SUBJECT, Channel.IN_APP_WEB, context(), "en"
    )
    response = await services.responses.submit_score(str(display.id), 4)
    await services.responses.submit_comment(str(response.id), "Too slow")
    backup = await _snapshot(database)
    request = await services.rights.file(
        NewRequest(RightsRequestType.ERASURE, user_id=SUBJECT.id, email=SUBJECT.email),
        OFFICER,
        VerificationMethod.OTHER_MEANS,
        "ID seen",
    )
    await services.privacy.execute(str(request.id), OFFICER)
    assert await Response.find_one({"user.id": SUBJECT.id}) is None
    await _restore(database, backup)
    assert await Response.find_one({"user.id": SUBJECT.id}) is not None


async def test_reapply_from_the_command_line(
    settings: Settings, services: Services, database: Database
) -> None:
    await _given_an_erased_person_restored(services, database)

    first = hub_cli(settings, "privacy", "reapply")

    assert first.returncode == 0, first.stderr
    assert "people_erased_again: 1" in first.stdout
    assert "suppressions_restored: 2" in first.stdout
    assert await Response.find_one({"user.id": SUBJECT.id}) is None
    assert await services.suppressions.is_suppressed(email="golf.person@example.com")
    for trace in (SUBJECT.id, SUBJECT.email or "", SUBJECT.username or ""):
        assert trace.lower() not in (first.stdout + first.stderr).lower()

    second = hub_cli(settings, "privacy", "reapply")
    assert second.returncode == 0, second.stderr
    assert "people_erased_again: 0" in second.stdout
    assert "Changed nothing" in second.stdout


async def test_doctor_reports_a_restore_and_fixes_it(
    settings: Settings, services: Services, database: Database
) -> None:
    await _given_an_erased_person_restored(services, database)

    found = hub_cli(settings, "doctor")
    assert "[FAIL] erasure ledger" in found.stdout, found.stdout
    assert "feedback-hub privacy reapply" in found.stdout

    fixed = hub_cli(settings, "doctor", "--fix")
    assert "erasure ledger applied again" in fixed.stdout, fixed.stdout + fixed.stderr
    assert "[ok  ] erasure ledger: 1 entries, all applied" in fixed.stdout
    assert await Response.find_one({"user.id": SUBJECT.id}) is None
