"""The Slack app manifest: valid YAML naming the command, the scopes the bot uses and
the request URLs, with the hub's address filled in by `feedback-hub slack manifest`."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from bots.slack.manifest import MANIFEST
from hub.server.cli import main


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
