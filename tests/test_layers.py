"""The layer rule, read from the imports: models → services → GraphQL / Slack / web, and
only the process wiring in hub/server brings GraphQL and Slack together."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("hub", "graphql_schema", "bots")
FRAMEWORKS = ("strawberry", "slack_bolt", "slack_sdk", "starlette")
FRONT_ENDS = ("graphql_schema", "bots")


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> Iterator[str]:
    """Every module a file imports, at any depth (also imports inside functions)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
            for alias in node.names:
                yield f"{node.module}.{alias.name}"


def _within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def _modules() -> Iterator[tuple[str, list[str]]]:
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            yield _module_name(path), sorted(set(_imports(path)))


def test_the_walk_finds_the_code() -> None:
    names = {name for name, _ in _modules()}
    assert {"hub.server.app", "hub.services", "graphql_schema.schema", "bots.slack.app"} <= names


def test_models_and_services_know_no_framework_nor_front_end() -> None:
    violations = [
        f"{name} imports {imported}"
        for name, imports in _modules()
        if _within(name, "hub.services") or _within(name, "hub.models")
        for imported in imports
        if any(_within(imported, banned) for banned in FRAMEWORKS + FRONT_ENDS)
    ]
    assert violations == []


def test_only_the_server_wires_graphql_and_slack() -> None:
    violations = [
        f"{name} imports {imported}"
        for name, imports in _modules()
        if not _within(name, "hub.server")
        for imported in imports
        for front_end in FRONT_ENDS
        if _within(imported, front_end) and not _within(name, front_end)
    ]
    assert violations == []


def test_models_do_not_import_services() -> None:
    violations = [
        f"{name} imports {imported}"
        for name, imports in _modules()
        if _within(name, "hub.models")
        for imported in imports
        if _within(imported, "hub.services")
    ]
    assert violations == []


def test_nothing_imports_the_server() -> None:
    """The wiring sits on top: no layer below it reaches back up into hub/server."""
    violations = [
        f"{name} imports {imported}"
        for name, imports in _modules()
        if not _within(name, "hub.server")
        for imported in imports
        if _within(imported, "hub.server")
    ]
    assert violations == []
