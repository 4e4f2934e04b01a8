"""`feedback-hub keys`: a token is printed once, stored only as a hash, and revocable."""

from __future__ import annotations

import hashlib

import pytest

from hub.db import Database
from hub.models.apikey import ApiKey
from hub.models.common import Role
from hub.settings import Settings
from tests.support.cli import cli

# Subprocesses, real servers, restarts or fuzzing: not in `make test-fast`.
pytestmark = pytest.mark.slow


async def test_create_list_and_revoke_a_key(settings: Settings, database: Database) -> None:
    created = cli(
        settings, "keys", "create", "--role", "widget", "--label", "web app", "--survey", "nps-main"
    )
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip().splitlines()[-1]
    assert token.startswith("fh_")

    stored = await ApiKey.find_one()
    assert stored is not None
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert (stored.role, stored.label, stored.survey_keys) == (Role.WIDGET, "web app", ["nps-main"])
    raw = await database["api_keys"].find_one()
    assert token not in str(raw)

    listed = cli(settings, "keys", "list")
    assert listed.returncode == 0
    assert "web app" in listed.stdout and "active" in listed.stdout
    assert token not in listed.stdout

    revoked = cli(settings, "keys", "revoke", stored.prefix)
    assert revoked.returncode == 0, revoked.stderr
    assert revoked.stdout.startswith("Revoked key")
    assert "revoked" in cli(settings, "keys", "list").stdout

    again = cli(settings, "keys", "revoke", stored.prefix)
    assert again.returncode == 0, again.stderr
    assert "was already revoked" in again.stdout
    assert "Revoked key" not in again.stdout


async def test_bad_cli_input_is_a_clear_error(settings: Settings, database: Database) -> None:
    unknown_role = cli(settings, "keys", "create", "--role", "root", "--label", "x")
    scoped_admin = cli(
        settings, "keys", "create", "--role", "admin", "--label", "x", "--survey", "nps-main"
    )
    missing = cli(settings, "keys", "revoke", "fh_nothing")

    assert unknown_role.returncode == 2 and "invalid choice" in unknown_role.stderr
    assert scoped_admin.returncode == 1
    assert "Only widget keys are limited to surveys." in scoped_admin.stderr
    assert missing.returncode == 1 and "API key not found." in missing.stderr
    assert await ApiKey.find_all().count() == 0
