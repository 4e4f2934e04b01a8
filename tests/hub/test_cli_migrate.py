"""`feedback-hub migrate` rewrites every stored e-mail address to the normal form
(trimmed, case-folded), in every collection the personal-data registry lists; running
it again changes nothing. The hub runs it once at start."""

from __future__ import annotations

from typing import Any

import pytest

from hub.clock import FrozenClock
from hub.db import Database
from hub.models.migration import SchemaMigration
from hub.server.app import create_app
from hub.services import Services
from hub.settings import Settings
from tests.support.cli import cli

MIXED = " Golf.Person@Example.COM"
NORMAL = "golf.person@example.com"
USER = {"id": "golf-7", "username": "golfp", "email": MIXED}


async def _store_mixed_case(database: Database) -> None:
    await database["responses"].insert_one({"user": USER, "score": 3})
    await database["displays"].insert_one({"user": USER, "survey_key": "nps-main"})
    await database["logins"].insert_one({"user": USER})
    await database["survey_links"].insert_one({"user": USER, "survey_key": "nps-main"})
    await database["rights_requests"].insert_one(
        {
            "subject": {"user_id": None, "email": MIXED},
            "corrections": {"email": "New.Address@Example.com "},
            "confirmed_emails": ["Other@Example.com"],
        }
    )
    await database["outbox"].insert_many(
        [
            {"key": "m1", "kind": "email", "payload": {"to": MIXED}, "status": "PENDING"},
            {"key": "m2", "kind": "slack_post", "payload": {"to": "Not.Mail"}, "status": "PENDING"},
        ]
    )


async def _stored(database: Database) -> dict[str, Any]:
    def user(doc: dict[str, Any] | None) -> Any:
        return doc and doc["user"]["email"]

    request = await database["rights_requests"].find_one()
    assert request is not None
    return {
        "responses": user(await database["responses"].find_one()),
        "displays": user(await database["displays"].find_one()),
        "logins": user(await database["logins"].find_one()),
        "survey_links": user(await database["survey_links"].find_one()),
        "subject": request["subject"]["email"],
        "corrections": request["corrections"]["email"],
        "confirmed": request["confirmed_emails"],
        "outbox": [doc["payload"]["to"] async for doc in database["outbox"].find().sort("_id")],
    }


@pytest.mark.slow
async def test_migrate_normalises_every_stored_address_once(
    settings: Settings, database: Database
) -> None:
    await _store_mixed_case(database)

    first = cli(settings, "migrate")

    assert first.returncode == 0, first.stderr
    assert await _stored(database) == {
        "responses": NORMAL,
        "displays": NORMAL,
        "logins": NORMAL,
        "survey_links": NORMAL,
        "subject": NORMAL,
        "corrections": "new.address@example.com",
        "confirmed": ["other@example.com"],
        "outbox": [NORMAL, "Not.Mail"],  # only e-mails have a recipient address
    }
    for line in ("responses: 1", "displays: 1", "logins: 1", "survey_links: 1", "outbox: 1"):
        assert f"  {line}\n" in first.stdout, first.stdout
    assert "  rights_requests: 1\n" in first.stdout
    assert NORMAL not in first.stdout and "golf" not in first.stdout.casefold()

    again = cli(settings, "migrate")

    assert again.returncode == 0, again.stderr
    assert "email-normal-form: 0 documents changed" in again.stdout, again.stdout


async def test_the_hub_migrates_at_its_first_start_only(
    settings: Settings, database: Database, clock: FrozenClock, services: Services
) -> None:
    await _store_mixed_case(database)
    app = create_app(settings, clock, services)

    async with app.router.lifespan_context(app):
        pass

    assert (await _stored(database))["responses"] == NORMAL
    marker = await database[SchemaMigration.Settings.name].find_one({"_id": "email-normal-form"})
    assert marker is not None and marker["version"] == 1 and marker["changed"]["responses"] == 1
    # Started again, it reads the marker and leaves the data alone
    await database["responses"].update_one({}, {"$set": {"user.email": MIXED}})
    async with app.router.lifespan_context(app):
        pass
    assert (await _stored(database))["responses"] == MIXED
