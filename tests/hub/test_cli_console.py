"""`feedback-hub console members`: letting the first admin in from the shell when the
console signs in with Slack, changing their role and taking them off again."""

from __future__ import annotations

import pytest

from hub.db import Database
from hub.models.common import Role
from hub.models.console import ConsoleMember
from hub.settings import Settings
from tests.support.cli import cli

# Subprocesses: not in `make test-fast`.
pytestmark = pytest.mark.slow


async def test_add_list_change_and_remove_a_member(settings: Settings, database: Database) -> None:
    assert cli(settings, "console", "members", "list").stdout.strip() == "No console members."

    added = cli(settings, "console", "members", "add", " U0ADMIN ", "--role", "admin")

    assert added.returncode == 0, added.stderr
    assert added.stdout.strip() == "U0ADMIN may sign in to the console as admin."
    member = await ConsoleMember.find_one()
    assert member is not None
    assert (member.slack_id, member.role, member.added_by) == ("U0ADMIN", Role.ADMIN, "cli")
    listed = cli(settings, "console", "members", "list")
    assert "U0ADMIN" in listed.stdout and "admin" in listed.stdout and "cli" in listed.stdout

    changed = cli(settings, "console", "members", "add", "U0ADMIN", "--role", "viewer")
    assert changed.returncode == 0, changed.stderr
    assert [(m.slack_id, m.role) for m in await ConsoleMember.find_all().to_list()] == [
        ("U0ADMIN", Role.VIEWER)
    ]

    removed = cli(settings, "console", "members", "remove", "U0ADMIN")
    assert removed.returncode == 0, removed.stderr
    assert removed.stdout.startswith("Removed U0ADMIN")
    assert await ConsoleMember.count() == 0


async def test_bad_member_input_is_a_clear_error(settings: Settings, database: Database) -> None:
    widget = cli(settings, "console", "members", "add", "U0WIDGET", "--role", "widget")
    not_slack = cli(settings, "console", "members", "add", "ana@example.com", "--role", "admin")
    unknown = cli(settings, "console", "members", "remove", "U0NOBODY")

    assert widget.returncode == 2 and "invalid choice" in widget.stderr
    assert not_slack.returncode == 1
    assert "Not a Slack user id" in not_slack.stderr
    assert "ana@example.com" not in not_slack.stderr
    assert unknown.returncode == 1 and "not found" in unknown.stderr
    assert await ConsoleMember.count() == 0
