"""Configuration checks made at start: each problem names the setting and says how to
fix it, so a mistake ends the process with a clear message rather than a stack trace."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from pydantic import ValidationError
from pymongo.errors import ConfigurationError, InvalidURI
from pymongo.uri_parser import parse_uri

from hub.db import embedded_installed
from hub.settings import Settings

MIN_SECRET_LENGTH = 16
EMBEDDED_EXTRA = "pip install 'feedback-hub-server[embedded]'"
# Secrets the hub checks for length when they are set (name → what it is).
SECRETS = {
    "slack_signing_secret": "the Slack app's signing secret",
    "metrics_token": "the token that /metrics asks for",
}


@dataclass(frozen=True)
class Problem:
    setting: str  # the variable to change, e.g. HUB_MONGODB_URI
    advice: str

    def __str__(self) -> str:
        return f"{self.setting}: {self.advice}"


def env_name(field: str) -> str:
    return f"HUB_{field.upper()}"


def _known_variables() -> set[str]:
    names = {env_name(name) for name in Settings.model_fields}
    for info in Settings.model_fields.values():
        alias = info.validation_alias
        choices = getattr(alias, "choices", [alias] if isinstance(alias, str) else [])
        names |= {str(choice).upper() for choice in choices if str(choice).startswith("HUB_")}
    return names


def unknown_variables(environ: Mapping[str, str] | None = None) -> list[Problem]:
    """HUB_ variables that are no setting (a typo would otherwise be ignored)."""
    environ = os.environ if environ is None else environ
    known = _known_variables()
    problems = []
    for name in sorted(environ):
        if name.upper().startswith("HUB_") and name.upper() not in known:
            # Test-only variables of the project's own tooling are not settings.
            if name.upper().startswith("HUB_TEST_"):
                continue
            problems.append(
                Problem(
                    name,
                    "is not a setting of the hub (a typo?); see the "
                    "settings in docs/configuration.md",
                )
            )
    return problems


def invalid_settings(error: ValidationError) -> list[Problem]:
    """The settings a pydantic validation error is about, with its messages."""
    problems = []
    for detail in error.errors():
        field = str(detail["loc"][0]) if detail["loc"] else "?"
        message = str(detail["msg"]).removeprefix("Value error, ")
        problems.append(Problem(env_name(field), message))
    return problems


def _database_problems(settings: Settings) -> list[Problem]:
    """A database the hub can use: HUB_MONGODB_URI, or else the embedded one, which a
    production install (without the embedded extra) cannot start."""
    if settings.mongodb_uri is not None and not settings.mongodb_uri.get_secret_value():
        return [
            Problem(
                "HUB_MONGODB_URI",
                "is empty; set it to your MongoDB connection string (mongodb://host:port/ "
                "or mongodb+srv://cluster.example.net/), or remove it to use the embedded "
                "database",
            )
        ]
    if settings.mongodb_uri is None and not embedded_installed():
        return [
            Problem(
                "HUB_MONGODB_URI",
                "is not set and the embedded database is not installed; set it to your "
                "MongoDB connection string (mongodb://host:port/ or "
                "mongodb+srv://cluster.example.net/), or install the embedded extra: "
                f"{EMBEDDED_EXTRA}",
            )
        ]
    return []


def check(settings: Settings) -> list[Problem]:
    """Settings that each look valid but together, or for the server, do not work."""
    problems: list[Problem] = _database_problems(settings)
    if settings.mongodb_uri is not None and settings.mongodb_uri.get_secret_value():
        try:
            parse_uri(settings.mongodb_uri.get_secret_value())
        except (InvalidURI, ConfigurationError, ValueError) as error:
            # The URI may hold a password: say what is wrong, not what it was.
            problems.append(
                Problem(
                    "HUB_MONGODB_URI",
                    f"is not a usable MongoDB connection string ({type(error).__name__}); "
                    "expected mongodb://host:port/ or mongodb+srv://cluster.example.net/",
                )
            )
    if settings.slack_bot_token is not None and settings.slack_signing_secret is None:
        problems.append(
            Problem(
                "SLACK_SIGNING_SECRET",
                "is not set but SLACK_BOT_TOKEN is: Slack's buttons and /feedback need it. "
                "Copy it from the Slack app's Basic Information page",
            )
        )
    if (
        settings.slack_bot_token is not None
        and not settings.slack_bot_token.get_secret_value().startswith("xoxb-")
    ):
        problems.append(
            Problem(
                "SLACK_BOT_TOKEN",
                "should be a bot token starting with xoxb- "
                "(OAuth & Permissions page of the Slack app)",
            )
        )
    for field, what in SECRETS.items():
        value = getattr(settings, field, None)
        if value is not None and len(value.get_secret_value()) < MIN_SECRET_LENGTH:
            problems.append(
                Problem(
                    env_name(field) if field != "slack_signing_secret" else "SLACK_SIGNING_SECRET",
                    f"{what} is shorter than {MIN_SECRET_LENGTH} characters; use a long "
                    "random value (e.g. `python -c 'import secrets; "
                    "print(secrets.token_urlsafe(32))'`)",
                )
            )
    if settings.metrics_port is not None and settings.metrics_port == settings.port:
        problems.append(
            Problem(
                "HUB_METRICS_PORT",
                "must differ from HUB_PORT (or be unset to serve "
                "/metrics on the main port with HUB_METRICS_TOKEN)",
            )
        )
    return problems


def load(
    environ: Mapping[str, str] | None = None, **overrides: object
) -> tuple[Settings | None, list[Problem]]:
    """The settings from the environment, and every problem found with them."""
    problems = unknown_variables(environ)
    try:
        settings = Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        return None, problems + invalid_settings(error)
    return settings, problems + check(settings)
