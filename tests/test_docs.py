"""docs/configuration.md documents every setting, and is what its generator prints;
docs/api.md lists every HTTP endpoint the app serves, and only those."""

import re
from pathlib import Path

from pydantic import SecretStr
from starlette.routing import Route, WebSocketRoute

from hub.clock import FrozenClock
from hub.server.app import create_app
from hub.server.settings_doc import render
from hub.settings import Settings

DOCS = Path(__file__).resolve().parent.parent / "docs"
CONFIGURATION = DOCS / "configuration.md"
API = DOCS / "api.md"
# `GET /s/<token>` in the table's first column; `{token}` in the app's routes.
ENDPOINT = re.compile(r"`(GET|POST|WS) (/[^`\s]*)`")
PARAMETER = re.compile(r"<[^>]+>|\{[^}]+\}")


def test_every_setting_is_in_the_configuration_page() -> None:
    text = CONFIGURATION.read_text()
    missing = [name for name in Settings.model_fields if f"`HUB_{name.upper()}`" not in text]

    assert missing == [], f"document these settings in docs/configuration.md: {missing}"


def test_the_configuration_page_is_what_the_generator_prints() -> None:
    assert CONFIGURATION.read_text() == render(), (
        "docs/configuration.md is out of date: run `make docs`"
    )


def documented_endpoints() -> set[tuple[str, str]]:
    """The method and path of each row of docs/api.md's "HTTP endpoints" table."""
    section = API.read_text().split("\n## HTTP endpoints\n", 1)[1].split("\n## ", 1)[0]
    rows = [line.split("|")[1] for line in section.splitlines() if line.startswith("| `")]
    return {
        (method, PARAMETER.sub("{}", path))
        for row in rows
        for method, path in ENDPOINT.findall(row)
    }


def served_endpoints(settings: Settings, clock: FrozenClock) -> set[tuple[str, str]]:
    """Every route of the app, with every optional one turned on (Slack, /metrics)."""
    app = create_app(
        settings.model_copy(
            update={
                "slack_bot_token": SecretStr("xoxb-docs"),
                "slack_signing_secret": SecretStr("docs-signing-secret"),
                "metrics_token": SecretStr("docs-metrics-token"),
            }
        ),
        clock,
    )
    found: set[tuple[str, str]] = set()
    for route in app.routes:
        if isinstance(route, WebSocketRoute):
            found.add(("WS", PARAMETER.sub("{}", route.path)))
        else:
            assert isinstance(route, Route) and route.methods is not None, route
            # Starlette answers HEAD wherever GET is: the page says so once.
            found |= {(m, PARAMETER.sub("{}", route.path)) for m in route.methods - {"HEAD"}}
    return found


def test_the_endpoints_table_lists_every_route_and_only_those(
    settings: Settings, clock: FrozenClock
) -> None:
    documented = documented_endpoints()
    served = served_endpoints(settings, clock)

    assert sorted(served - documented) == [], "document these in docs/api.md, HTTP endpoints"
    assert sorted(documented - served) == [], "docs/api.md, HTTP endpoints, lists these: not served"
