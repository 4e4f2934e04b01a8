"""Every GraphQL and CLI example in README.md and docs/ runs against the demo data that
`make run` loads, so an example that stops working fails the build.

The conventions (docs/api.md, "Examples in these docs are tested"):
- a ```graphql block runs as the role named by a first-line comment `# as: <role>`
  (admin when there is none); `# not run: <why>` leaves it out;
- an example answers no top-level error and no `UserError` member, unless it says
  `# expect: <CODE>`: then exactly that one (a top-level error or a member);
- a ```json block right after it gives its variables;
- `<name>` in a block (or its variables) stands for the value the last earlier example
  of the same page returned under the field `name` (`<displayId>`, `<responseId>`);
- in a ```sh block, each `feedback-hub …` command runs (in a ```console block or
  one without a language, each `$ feedback-hub …` line) unless it ends with
  `# not run`; `serve` and commands with `<…>` or `…` placeholders never run."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from hub.models.common import Role
from hub.server import demo
from hub.services import Services
from hub.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
FENCE = re.compile(r"^\s*```(\w*)\s*$")
ROLE = re.compile(r"^\s*#\s*as:\s*(\w+)\s*$", re.MULTILINE)
NOT_RUN = re.compile(r"^\s*#\s*not run\b", re.MULTILINE)
EXPECT = re.compile(r"^\s*#\s*expect:\s*(\w+)\s*$", re.MULTILINE)
PLACEHOLDER = re.compile(r"<(\w+)>")
COMMAND = re.compile(r"^(?:\$\s+)?(?:\.venv/bin/)?feedback-hub\s+(.*)$")


@dataclass(frozen=True)
class Block:
    page: Path
    line: int
    language: str
    text: str
    variables: str | None = None

    @property
    def where(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"


def blocks(page: Path) -> list[Block]:
    """The fenced blocks of a page, each ```graphql block with the ```json block after it."""
    found: list[Block] = []
    lines = page.read_text().splitlines()
    index = 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if opening is None:
            index += 1
            continue
        end = index + 1
        while end < len(lines) and lines[end].strip() != "```":
            end += 1
        indent = len(lines[index]) - len(lines[index].lstrip())
        body = "\n".join(line[indent:] for line in lines[index + 1 : end])
        found.append(Block(page, index + 1, opening.group(1), body))
        index = end + 1
    paired: list[Block] = []
    for block in found:
        if block.language == "json" and paired and paired[-1].language == "graphql":
            previous = paired[-1]
            between = lines[previous.line + previous.text.count("\n") + 1 : block.line - 1]
            if all(not line.strip() for line in between) and previous.variables is None:
                paired[-1] = Block(
                    previous.page, previous.line, "graphql", previous.text, block.text
                )
                continue
        paired.append(block)
    return paired


def graphql_pages() -> list[Path]:
    return [page for page in PAGES if any(b.language == "graphql" for b in blocks(page))]


def _remember(value: Any, into: dict[str, str], key: str | None = None) -> None:
    if isinstance(value, dict):
        for name, item in value.items():
            _remember(item, into, name)
    elif isinstance(value, list):
        for item in value:
            _remember(item, into, key)
    elif isinstance(value, str) and key is not None:
        into[key] = value


def _user_errors(value: Any) -> list[str]:
    """The codes of the expected-failure members (`UserError`s) in a result."""
    if isinstance(value, dict):
        own = [value["code"]] if value.get("code") and "message" in value else []
        return own + [code for item in value.values() for code in _user_errors(item)]
    if isinstance(value, list):
        return [code for item in value for code in _user_errors(item)]
    return []


def _fill(text: str, known: dict[str, str], where: str) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        assert name in known, f"{where}: no earlier example returned `{name}`"
        return known[name]

    return PLACEHOLDER.sub(value, text)


@pytest.fixture
async def demo_tokens(services: Services, settings: Settings) -> dict[str, str]:
    """The demo data and tokens `make run` loads, plus an agent and a privacy officer."""
    tokens = await demo.load(services, settings.data_dir)
    assert tokens is not None
    return {
        "admin": tokens.admin,
        "widget": tokens.widget,
        "viewer": tokens.viewer,
        "agent": (await services.keys.create(Role.AGENT, "docs agent"))[1],
        "privacy_officer": (await services.keys.create(Role.PRIVACY_OFFICER, "docs po"))[1],
    }


def test_the_docs_have_graphql_examples() -> None:
    assert len(graphql_pages()) >= 4


async def test_graphql_examples_run_against_the_demo_data(
    http: httpx.AsyncClient, demo_tokens: dict[str, str]
) -> None:
    failures = []
    for page in graphql_pages():
        failures += await _run_graphql_examples(page, http, demo_tokens)

    assert failures == [], "\n".join(failures)


async def _run_graphql_examples(
    page: Path, http: httpx.AsyncClient, demo_tokens: dict[str, str]
) -> list[str]:
    known: dict[str, str] = {}
    failures = []
    for block in blocks(page):
        if block.language != "graphql" or NOT_RUN.search(block.text):
            continue
        role = ROLE.search(block.text)
        token = demo_tokens[role.group(1) if role else "admin"]
        document = _fill(block.text, known, block.where)
        variables = {}
        if block.variables is not None:
            variables = json.loads(_fill(block.variables, known, block.where))
        response = await http.post(
            "/graphql",
            json={"query": document, "variables": variables},
            headers={"Authorization": f"Bearer {token}"},
        )
        body = response.json()
        expected = EXPECT.search(block.text)
        wanted = [expected.group(1)] if expected else []
        refusals = [(e.get("extensions") or {}).get("code") for e in body.get("errors") or []]
        if response.status_code != 200 or (refusals and refusals != wanted):
            failures.append(f"{block.where}: {response.status_code} {body.get('errors')}")
            continue
        codes = refusals or _user_errors(body["data"])
        if codes != wanted:
            failures.append(f"{block.where}: answered {codes}, expected {expected}")
        _remember(body["data"], known)
    return failures


def cli_examples() -> list[tuple[Block, str]]:
    found = []
    for page in PAGES:
        for block in blocks(page):
            if block.language not in ("sh", "bash", "console", ""):
                continue
            text = block.text.replace("\\\n", " ")
            for line in text.splitlines():
                if block.language in ("console", "") and not line.startswith("$ "):
                    continue  # output, or a block that is not a shell session
                match = COMMAND.match(line.strip())
                if match is not None:
                    found.append((block, match.group(1)))
    return found


def _runnable(command: str) -> bool:
    return not (
        command.startswith("serve")
        or re.search(r"#\s*not run", command)
        or "<" in command
        or "…" in command
    )


def test_the_docs_have_cli_examples() -> None:
    assert len([command for _, command in cli_examples() if _runnable(command)]) >= 5


@pytest.mark.slow
async def test_cli_examples_run_against_the_demo_data(
    settings: Settings, demo_tokens: dict[str, str]
) -> None:
    assert settings.mongodb_uri is not None
    env = {
        name: value for name, value in os.environ.items() if not name.startswith(("HUB_", "SLACK_"))
    }
    env.update(
        HUB_MONGODB_URI=settings.mongodb_uri.get_secret_value(),
        HUB_DB_NAME=settings.db_name,
        HUB_DATA_DIR=str(settings.data_dir),
    )
    failures = []
    for block, command in cli_examples():
        if not _runnable(command):
            continue
        # Where the docs send the output to a file, the test reads it and throws it away.
        arguments = shlex.split(command.split(" > ")[0], comments=True)
        result = subprocess.run(  # noqa: ASYNC221 - one short command, the test waits for it
            [sys.executable, "-m", "hub.server.cli", *arguments],
            env=env,
            cwd=settings.data_dir,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if result.returncode != 0:
            failures.append(f"{block.where}: feedback-hub {command}: {result.stderr.strip()}")

    assert failures == [], "\n".join(failures)
