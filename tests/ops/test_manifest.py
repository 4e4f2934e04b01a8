"""The Slack app manifest: valid YAML naming the command, the scopes the bot uses and
the request URLs, with the hub's address filled in by `feedback-hub slack manifest`."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from bots.slack.manifest import MANIFEST, render
from hub.server.cli import main

ROOT = Path(__file__).resolve().parents[2]


def test_the_command_prints_the_manifest_for_a_host(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["slack", "manifest", "--url", "https://feedback.acme.example/"]) == 0
    printed = capsys.readouterr().out

    manifest: dict[str, Any] = yaml.safe_load(printed)
    events = "https://feedback.acme.example/slack/events"
    [command] = manifest["features"]["slash_commands"]
    assert command["command"] == "/feedback"
    assert command["url"] == events
    assert manifest["settings"]["interactivity"] == {"is_enabled": True, "request_url": events}
    assert "hub.example.com" not in printed


def test_the_committed_manifest_asks_for_what_the_bot_calls() -> None:
    manifest: dict[str, Any] = yaml.safe_load(MANIFEST.read_text())

    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    # chat.postMessage/update/postEphemeral, /feedback, users.info,
    # conversations.history and conversations.info (public and private channels)
    assert {"chat:write", "commands", "users:read"} <= scopes
    assert {"channels:history", "groups:history", "channels:read", "groups:read"} <= scopes
    assert manifest["features"]["bot_user"]["display_name"] == "feedback-hub"
    assert manifest["settings"]["socket_mode_enabled"] is False


def _rows(document: str) -> list[list[str]]:
    return [
        [cell.strip() for cell in line.strip().strip("|").split("|")]
        for line in (ROOT / document).read_text().splitlines()
        if line.startswith("|")
    ]


def _names(cell: str) -> set[str]:
    return set(re.findall(r"`([^`]+)`", cell))


def _in_readme(kind: str) -> set[str]:
    """The README's `| bot scopes | `a`, `b` |` row."""
    return {name for row in _rows("README.md") if row[0] == kind for name in _names(row[1])}


def _in_slack_doc(kind: str) -> set[str]:
    """The first column of docs/slack.md's table headed `| bot scope | for |`."""
    found: set[str] = set()
    table: str | None = None
    for row in _rows("docs/slack.md"):
        if row[0].startswith("---"):
            continue
        if not row[0].startswith("`"):
            table = row[0]
        elif table == kind:
            found |= _names(row[0])
    return found


def test_the_docs_list_exactly_the_scopes_and_events_of_the_manifest() -> None:
    manifest: dict[str, Any] = yaml.safe_load(MANIFEST.read_text())
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    events = set(manifest["settings"]["event_subscriptions"]["bot_events"])

    # Every part of the Slack bot: posts, threads, reminders, DMs, Home tab, invites
    assert scopes == {
        "chat:write",
        "commands",
        "users:read",
        "usergroups:read",
        "channels:history",
        "groups:history",
        "channels:read",
        "groups:read",
        "im:write",
    }
    assert events == {
        "app_home_opened",
        "member_joined_channel",
        "message.channels",
        "message.groups",
    }
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert _in_readme("bot scopes") == _in_slack_doc("bot scope") == scopes
    assert _in_readme("bot events") == _in_slack_doc("bot event") == events


def test_every_request_url_is_the_events_endpoint() -> None:
    manifest: dict[str, Any] = yaml.safe_load(render("https://feedback.acme.example"))
    events = "https://feedback.acme.example/slack/events"

    assert manifest["settings"]["event_subscriptions"]["request_url"] == events
    assert manifest["settings"]["interactivity"]["request_url"] == events
    assert [c["url"] for c in manifest["features"]["slash_commands"]] == [events]
