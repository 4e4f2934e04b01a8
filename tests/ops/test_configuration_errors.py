"""Configuration mistakes end the command with a message naming the setting and how
to fix it, exit code 2, and no stack trace."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from hub.server.cli import main


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    for name in list(os.environ):
        if name.startswith(("HUB_", "SLACK_")):
            monkeypatch.delenv(name)
    monkeypatch.chdir(str(tmp_path))  # no .env file


def refused(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert main(list(argv or ["keys", "list"])) == 2
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return captured.err


@pytest.mark.parametrize(
    ("variables", "named", "advice"),
    [
        ({"HUB_MONGODB_URI": "localhost:27017"}, "HUB_MONGODB_URI", "mongodb://"),
        ({"SLACK_BOT_TOKEN": "xoxb-1-2-3"}, "SLACK_SIGNING_SECRET", "Basic Information"),
        (
            {"SLACK_BOT_TOKEN": "xoxb-1-2-3", "SLACK_SIGNING_SECRET": "abc123"},
            "SLACK_SIGNING_SECRET",
            "shorter than 16 characters",
        ),
        ({"HUB_METRICS_TOKEN": "letmein"}, "HUB_METRICS_TOKEN", "shorter than 16"),
        ({"HUB_MONGO_URI": "mongodb://db:27017"}, "HUB_MONGO_URI", "is not a setting"),
        ({"HUB_PORT": "eighty"}, "HUB_PORT", "integer"),
        ({"HUB_LOG_LEVEL": "LOUD"}, "HUB_LOG_LEVEL", "DEBUG, INFO"),
        ({"HUB_METRICS_PORT": "8000"}, "HUB_METRICS_PORT", "differ from HUB_PORT"),
        ({"HUB_SLACK_OPS_CHANNEL": "#ops"}, "HUB_SLACK_OPS_CHANNEL", "the channel's id"),
    ],
)
def test_a_bad_setting_is_named_with_advice(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    variables: dict[str, str],
    named: str,
    advice: str,
) -> None:
    for name, value in variables.items():
        monkeypatch.setenv(name, value)

    message = refused(capsys)

    assert f"{named}:" in message
    assert advice in message
    for value in variables.values():
        if len(value) > 6 and "://" in value:
            assert value not in message  # a URI may hold a password


def test_every_problem_is_reported_at_once(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HUB_MONGODB_URI", "nonsense")
    monkeypatch.setenv("HUB_METRIC_TOKEN", "x" * 32)

    message = refused(capsys)

    assert "HUB_MONGODB_URI:" in message and "HUB_METRIC_TOKEN:" in message


@pytest.mark.slow
def test_the_server_refuses_to_start_with_a_clear_message(tmp_path: object) -> None:
    env = {
        key: value for key, value in os.environ.items() if not key.startswith(("HUB_", "SLACK_"))
    }
    env |= {"HUB_MONGODB_URI": "mongodb://", "SLACK_BOT_TOKEN": "xoxb-1"}

    result = subprocess.run(
        [sys.executable, "-m", "hub.server.cli", "serve"],
        env=env,
        cwd=str(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 2
    assert "HUB_MONGODB_URI:" in result.stderr
    assert "SLACK_SIGNING_SECRET:" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_slack_manifest_for_a_bad_address(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["slack", "manifest", "--url", "http://plain.example.com"]) == 2
    assert "https://" in capsys.readouterr().err


# A production install leaves the embedded extra (the `secantus` module) out. The
# interpreter is told the module is missing (sys.modules[name] = None fails its import).
WITHOUT_EMBEDDED = (
    "import sys; sys.modules['secantus'] = None; from hub.server.cli import main; sys.exit(main())"
)


@pytest.mark.parametrize(
    "command",
    [
        ["serve"],
        ["doctor"],
        ["migrate"],
        ["privacy", "reapply"],
        ["keys", "list"],
        ["retention", "run", "--dry-run"],
    ],
)
@pytest.mark.slow
def test_without_the_embedded_database_or_a_uri_every_command_says_what_to_set(
    tmp_path: object, command: list[str]
) -> None:
    env = {
        key: value for key, value in os.environ.items() if not key.startswith(("HUB_", "SLACK_"))
    }

    result = subprocess.run(
        [sys.executable, "-c", WITHOUT_EMBEDDED, *command],
        env=env,
        cwd=str(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "No module named" not in result.stderr + result.stdout
    said = result.stderr if command != ["doctor"] else result.stdout
    problem = [line for line in said.splitlines() if "HUB_MONGODB_URI" in line]
    assert len(problem) == 1
    assert "pip install 'feedback-hub-server[embedded]'" in problem[0]
    if command != ["doctor"]:
        assert result.stderr.strip() == problem[0]  # one line, nothing else
    else:
        # The doctor never advises starting the embedded database that is not there.
        assert "feedback-hub serve" not in result.stdout
        assert "no embedded database is running" not in result.stdout


def test_an_empty_database_uri_is_a_configuration_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HUB_MONGODB_URI", "")

    message = refused(capsys)

    assert message.strip().splitlines() == [message.strip()]
    assert "HUB_MONGODB_URI: is empty" in message


def test_the_doctor_exits_2_on_an_empty_database_uri(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HUB_MONGODB_URI", "")

    assert main(["doctor"]) == 2
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    assert "[FAIL] setting HUB_MONGODB_URI: is empty" in captured.out


def test_the_doctor_exits_2_on_any_configuration_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HUB_LOG_LEVEL", "LOUD")

    assert main(["doctor"]) == 2
    assert "[FAIL] setting HUB_LOG_LEVEL" in capsys.readouterr().out
