"""The container files, read without a Docker engine (there is none where the hub is
developed, docs/deployment.md): the image builds the wheel and installs it the way a
release is built and installed, runs as a user other than root and checks /readyz; its
command and compose's start `feedback-hub serve` through the real command line and
settings; compose runs the hub on the replica set it initiates, with no secret written
in the file."""

from __future__ import annotations

import json
import os
import re
import shlex
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from packaging.specifiers import SpecifierSet
from pydantic import SecretStr
from pymongo.uri_parser import parse_uri

from hub.server import serving
from hub.server.cli import main
from hub.server.config import env_name
from hub.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT: dict[str, Any] = tomllib.loads((ROOT / "pyproject.toml").read_text())
COMPOSE: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text())
# A value for the variable compose requires; the file itself must hold none.
SECRET_KEY = "a-secret-key-from-the-environment-0123456789"
# Values a shell (or an env file) may give the variables compose passes on.
FROM_THE_SHELL = {
    "SLACK_BOT_TOKEN": "xoxb-from-the-shell",
    "SLACK_SIGNING_SECRET": "signing-secret-from-the-shell",
    "SLACK_CLIENT_ID": "1111.2222",
    "SLACK_CLIENT_SECRET": "client-secret-from-the-shell",
    "HUB_METRICS_TOKEN": "metrics-token-from-the-shell",
    "HUB_SMTP_HOST": "smtp.example.com",
    "HUB_SMTP_USER": "hub",
    "HUB_SMTP_PASSWORD": "smtp-password-from-the-shell",
    "HUB_SMTP_FROM": "feedback@example.com",
}
# What the hub takes, after SIGTERM, to stop gracefully: requests in flight (uvicorn's
# timeout_graceful_shutdown) and then the dispatcher's message in hand (docs/operations.md).
GRACEFUL_STOP_SECONDS = 30 + 10


@dataclass(frozen=True)
class Instruction:
    keyword: str
    arguments: str


@dataclass
class Stage:
    image: str
    name: str | None
    instructions: list[Instruction] = field(default_factory=list)

    def all(self, keyword: str) -> list[str]:
        return [step.arguments for step in self.instructions if step.keyword == keyword]

    def last(self, keyword: str) -> str:
        found = self.all(keyword)
        assert found, f"the stage from {self.image} has no {keyword}"
        return found[-1]

    def environment(self) -> dict[str, str]:
        pairs = [shlex.split(arguments) for arguments in self.all("ENV")]
        return dict(pair.split("=", 1) for words in pairs for pair in words)


def stages(text: str) -> list[Stage]:
    """The Dockerfile's stages, each with its instructions (continued lines joined,
    comments and the syntax directive left out)."""
    found: list[Stage] = []
    for line in text.replace("\\\n", " ").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        keyword, _, arguments = line.strip().partition(" ")
        if keyword.upper() == "FROM":
            image, _, name = arguments.partition(" AS ")
            found.append(Stage(image.strip(), name.strip() or None))
        else:
            found[-1].instructions.append(Instruction(keyword.upper(), arguments.strip()))
    return found


BUILD, RUNTIME = stages((ROOT / "Dockerfile").read_text())


def exec_form(arguments: str) -> list[str]:
    """A CMD in exec (JSON) form; the shell form would leave signals to a shell."""
    command = json.loads(arguments)
    assert isinstance(command, list) and all(isinstance(word, str) for word in command)
    return command


def option(command: list[str], name: str) -> str:
    return command[command.index(name) + 1]


def test_the_image_builds_the_wheel_and_installs_it_on_slim_python_3_11() -> None:
    # The same commands a release is built and installed with: the wheel from the source.
    assert BUILD.name == "build"
    assert any("python -m build --wheel" in step for step in BUILD.all("RUN"))
    [install] = [step for step in RUNTIME.all("RUN") if "pip install" in step]
    assert "from=build" in install
    assert re.search(r"pip install .*--constraint \S*constraints\.txt \S*\.whl$", install)

    assert RUNTIME.image == BUILD.image == "python:3.11-slim"
    assert "3.11" in SpecifierSet(PYPROJECT["project"]["requires-python"])


def test_the_constraints_file_goes_with_the_wheel_when_the_repository_has_one() -> None:
    build = " ".join(BUILD.all("RUN"))

    assert "if [ -f constraints.txt ]; then cp constraints.txt /dist/" in build
    assert "!constraints.txt" in (ROOT / ".dockerignore").read_text().splitlines()


def test_the_image_installs_the_production_hub_without_the_embedded_database() -> None:
    install = " ".join(RUNTIME.all("RUN"))

    assert "[embedded]" not in install and "secantus" not in install.lower()


def test_the_build_context_holds_only_what_the_wheel_is_built_from() -> None:
    # Never .env, .venv or .hub-data (demo tokens, a generated secret, the ledger).
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    patterns = [line for line in lines if line.strip() and not line.startswith("#")]
    let_in = {pattern.removeprefix("!") for pattern in patterns if pattern.startswith("!")}
    project = PYPROJECT["project"]
    packages = PYPROJECT["tool"]["setuptools"]["packages"]["find"]["include"]
    wheel_sources = {
        "pyproject.toml",
        project["readme"],
        *project["license-files"],
        *(package.removesuffix("*") for package in packages),
    }

    assert patterns[0] == "*"
    assert let_in == wheel_sources | {"constraints.txt"}


def test_the_image_runs_as_a_user_other_than_root() -> None:
    user, _, group = RUNTIME.last("USER").partition(":")

    assert user not in ("root", "0") and group not in ("root", "0")
    assert user.isdigit()  # so Kubernetes' runAsNonRoot can verify it


def test_the_health_check_asks_readyz_on_the_port_the_command_serves() -> None:
    options, _, check = RUNTIME.last("HEALTHCHECK").partition("CMD ")
    command = exec_form(check)
    served = option(exec_form(RUNTIME.last("CMD")), "--port")
    [url] = re.findall(r"http://[^'\"]+", command[-1])

    assert command[:2] == ["python", "-c"] and "urllib.request.urlopen" in command[-1]
    assert urlsplit(url).path == "/readyz"
    assert str(urlsplit(url).port) == served == RUNTIME.last("EXPOSE")
    assert "--timeout=" in options


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[tuple[Settings, int]]:
    """`feedback-hub serve` as far as the server: the settings and worker count it was
    started with. No HUB_ or SLACK_ variable of this process and no .env take part."""
    calls: list[tuple[Settings, int]] = []

    def serve(settings: Settings, workers: int = 1) -> int:
        calls.append((settings, workers))
        return 0

    monkeypatch.setattr(serving, "serve", serve)
    monkeypatch.chdir(tmp_path)
    for name in [name for name in os.environ if name.startswith(("HUB_", "SLACK_"))]:
        monkeypatch.delenv(name)
    return calls


def run_with(
    monkeypatch: pytest.MonkeyPatch, command: list[str], environment: dict[str, str]
) -> int:
    assert command[0] == "feedback-hub"
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return main(command[1:])


def test_the_image_command_starts_the_hub_on_all_addresses(
    started: list[tuple[Settings, int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the image's environment and a database, as `docker run -e` gives it
    environment = RUNTIME.environment() | {"HUB_MONGODB_URI": "mongodb://db:27017/?replicaSet=rs0"}

    # When the image's command runs
    code = run_with(monkeypatch, exec_form(RUNTIME.last("CMD")), environment)

    # Then the hub serves on every address of the container, on the exposed port
    [(settings, workers)] = started
    assert code == 0
    everywhere = "0.0.0.0"  # noqa: S104 (inside a container, as its port is published)
    assert (settings.host, str(settings.port), workers) == (everywhere, RUNTIME.last("EXPOSE"), 1)
    assert str(settings.data_dir) == "/data"


def interpolated(value: str, shell: dict[str, str]) -> str:
    """A compose value with `${NAME}`, `${NAME:-default}` and `${NAME:?error}` filled in
    from `shell`; a required one that is missing fails, as compose does."""

    def fill(match: re.Match[str]) -> str:
        name, kind, fallback = match.group(1), match.group(2), match.group(3)
        if name in shell:
            return shell[name]
        assert kind != ":?", f"compose requires {name}: {fallback}"
        return fallback or ""

    return re.sub(r"\$\{(\w+)(?:(:-|:\?)([^}]*))?\}", fill, value)


def hub_environment(shell: dict[str, str]) -> dict[str, str]:
    """The hub's environment as compose builds it from `shell` (the shell's variables
    or an env file's): a variable without a value is passed on when set, else unset."""
    environment: dict[str, str | None] = COMPOSE["services"]["hub"]["environment"]
    built: dict[str, str] = {}
    for name, value in environment.items():
        if value is not None:
            built[name] = interpolated(value, shell)
        elif name in shell:
            built[name] = shell[name]
    return built


def test_compose_starts_the_hub_with_two_workers_on_the_replica_set(
    started: list[tuple[Settings, int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given compose's environment for the hub, with the secret it requires
    environment = RUNTIME.environment() | hub_environment({"HUB_SECRET_KEY": SECRET_KEY})
    hub = COMPOSE["services"]["hub"]

    # When compose's command runs in the image
    code = run_with(monkeypatch, hub["command"], environment)

    # Then the hub serves with two workers on the mongo service's replica set
    [(settings, workers)] = started
    assert code == 0 and workers == 2
    assert settings.mongodb_uri is not None and settings.secret_key is not None
    assert settings.mongodb_uri.get_secret_value() == "mongodb://mongo:27017/?replicaSet=rs0"
    assert settings.secret_key.get_secret_value() == SECRET_KEY
    assert f"{settings.port}:{settings.port}" in hub["ports"]
    assert str(settings.port) == RUNTIME.last("EXPOSE")


def test_compose_passes_on_what_the_shell_sets_and_leaves_the_rest_unset(
    started: list[tuple[Settings, int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a shell that sets every variable compose passes on (an empty one would be
    # refused: SLACK_BOT_TOKEN must start with xoxb-)
    hub = COMPOSE["services"]["hub"]
    passed_on = {name for name, value in hub["environment"].items() if value is None}
    shell = {"HUB_SECRET_KEY": SECRET_KEY} | {
        name: value for name, value in FROM_THE_SHELL.items() if name in passed_on
    }

    # When compose's command runs with them
    code = run_with(monkeypatch, hub["command"], RUNTIME.environment() | hub_environment(shell))

    # Then each is a setting of the hub, and none is set where the shell has none
    [(settings, _)] = started
    assert passed_on <= set(FROM_THE_SHELL) and code == 0
    assert settings.slack_bot_token is not None and settings.smtp_password is not None
    assert settings.slack_bot_token.get_secret_value() == FROM_THE_SHELL["SLACK_BOT_TOKEN"]
    assert settings.slack_sign_in  # the console's "Sign in with Slack"
    assert passed_on.isdisjoint(hub_environment({"HUB_SECRET_KEY": SECRET_KEY}))


def secret_settings() -> dict[str, set[str]]:
    """Every secret setting (a `SecretStr`), with the variables it is read from."""
    found: dict[str, set[str]] = {}
    for name, info in Settings.model_fields.items():
        if SecretStr not in getattr(info.annotation, "__args__", (info.annotation,)):
            continue
        choices = getattr(info.validation_alias, "choices", [])
        found[name] = {env_name(name)} | {str(c) for c in choices if str(c).isupper()}
    return found


def test_no_secret_is_written_in_the_compose_file() -> None:
    # Each is passed on from the environment, or required from it (`${NAME:?why}`).
    environment: dict[str, str | None] = COMPOSE["services"]["hub"]["environment"]
    secrets = set().union(*secret_settings().values())
    written = {
        name: value
        for name, value in environment.items()
        if name in secrets
        and value is not None
        and not re.fullmatch(r"\$\{\w+(:\?[^}]*)?\}", value)
    }
    uri = written.pop("HUB_MONGODB_URI")

    assert {"HUB_SECRET_KEY", "SLACK_SIGNING_SECRET", "HUB_SMTP_PASSWORD"} <= secrets
    assert str(environment["HUB_SECRET_KEY"]).startswith("${HUB_SECRET_KEY:?")
    assert written == {}
    assert parse_uri(uri)["username"] is None  # no secret while it holds no password


def test_the_replica_set_is_the_one_mongod_starts_and_the_health_check_initiates() -> None:
    mongo = COMPOSE["services"]["mongo"]
    uri = parse_uri(COMPOSE["services"]["hub"]["environment"]["HUB_MONGODB_URI"])
    [(host, port)] = uri["nodelist"]
    replica_set = uri["options"]["replicaSet"]
    check = " ".join(mongo["healthcheck"]["test"])

    assert mongo["image"] == "mongo:7"
    assert option(mongo["command"], "--replSet") == replica_set == "rs0"
    assert host == "mongo" and port == 27017
    # Initiated once, as a member the hub reaches by that name; healthy once primary.
    assert "try { rs.status() } catch" in check
    assert f"rs.initiate({{_id: '{replica_set}'" in check
    assert f"host: '{host}:{port}'" in check
    assert "isWritablePrimary" in check


def test_the_hub_waits_for_a_healthy_database() -> None:
    hub = COMPOSE["services"]["hub"]

    assert set(COMPOSE["services"]) == {"mongo", "hub"}
    assert hub["depends_on"] == {"mongo": {"condition": "service_healthy"}}
    assert hub["build"] == "."


def test_data_is_kept_in_named_volumes() -> None:
    def volume_at(service: str, path: str) -> str:
        mounts = [mount.split(":") for mount in COMPOSE["services"][service]["volumes"]]
        [volume] = [str(source) for source, target in mounts if target == path]
        return volume

    volumes = set(COMPOSE["volumes"])

    assert volume_at("mongo", "/data/db") in volumes
    assert volume_at("hub", RUNTIME.environment()["HUB_DATA_DIR"]) in volumes


def test_the_hub_is_given_longer_to_stop_than_its_graceful_stop_takes() -> None:
    grace = COMPOSE["services"]["hub"]["stop_grace_period"]

    assert re.fullmatch(r"\d+s", grace)
    assert int(grace.removesuffix("s")) > GRACEFUL_STOP_SECONDS


def test_the_deployment_page_names_every_secret_setting() -> None:
    # What every process must share, when scaling out.
    page = (ROOT / "docs" / "deployment.md").read_text()
    missing = [
        setting
        for setting, names in secret_settings().items()
        if not any(f"`{name}`" in page for name in names)
    ]

    assert missing == []
