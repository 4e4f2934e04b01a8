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
- an example answers something from the demo data: an eligibility check says
  eligible, a `metricSummary` counts responses, a CSV has rows;
- in a ```sh block, each `feedback-hub …` command runs (in a ```console block or
  one without a language, each `$ feedback-hub …` line) unless it ends with
  `# not run`; `serve` and commands with `<…>` or `…` placeholders never run;
- each `curl …` line of a ```sh block (or one without a language) is sent to the app,
  in page order with the GraphQL examples, and must answer 200: `$VIEWER_TOKEN` (any
  `$<ROLE>_TOKEN`) is that role's token and `$URL` the last `url` the page returned."""

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
from urllib.parse import urlsplit

import httpx
import pytest

from hub.db import Database
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
SHELL = ("sh", "bash", "console", "")
CURL = re.compile(r"^(?:\$\s+)?(curl\s.*)$")
SHELL_VARIABLE = re.compile(r"\$([A-Z][A-Z_]*)\b")  # not a GraphQL variable: `$d`


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


def curl_lines(block: Block) -> list[str]:
    """The `curl …` commands of a shell block, continuation lines joined."""
    if block.language not in SHELL:
        return []
    lines = block.text.replace("\\\n", " ").splitlines()
    return [match.group(1) for line in lines if (match := CURL.match(line.strip()))]


def example_pages() -> list[Path]:
    return [
        page
        for page in PAGES
        if any(b.language == "graphql" or curl_lines(b) for b in blocks(page))
    ]


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
    """The codes of the expected-failure members (`UserError`s) in a result: only they
    have a `code` field, asked for with or without its `message`."""
    if isinstance(value, dict):
        own = [value["code"]] if isinstance(value.get("code"), str) else []
        return own + [code for item in value.values() for code in _user_errors(item)]
    if isinstance(value, list):
        return [code for item in value for code in _user_errors(item)]
    return []


def _nothing_from_the_demo_data(value: Any) -> list[str]:
    """What in a result shows the example missed the demo data: a person who may not be
    asked, figures of no response (a date range outside the demo's two months), themes
    no comment mentions, no suggestion."""
    if isinstance(value, list):
        return [found for item in value for found in _nothing_from_the_demo_data(item)]
    if not isinstance(value, dict):
        return []
    found = []
    eligibility = value.get("surveyEligibility")
    if isinstance(eligibility, dict) and eligibility.get("eligible") is False:
        found.append(f"not eligible: {eligibility.get('reason')}")
    summary = value.get("metricSummary")
    if isinstance(summary, dict) and summary.get("responses") == 0:
        found.append("a metricSummary of no response")
    themes = value.get("themeSummary")
    if isinstance(themes, list) and not any(theme.get("mentions") for theme in themes):
        found.append("a themeSummary without a mention")
    suggested = value.get("suggestedThemes")
    if isinstance(suggested, dict) and not suggested.get("suggestions"):
        found.append("suggestedThemes without a suggestion")
    return found + [item for v in value.values() for item in _nothing_from_the_demo_data(v)]


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


def test_the_docs_have_graphql_and_curl_examples() -> None:
    pages = example_pages()
    curls = [line for page in pages for block in blocks(page) for line in curl_lines(block)]

    assert len(pages) >= 4
    assert len(curls) >= 4


async def test_graphql_and_curl_examples_run_against_the_demo_data(
    http: httpx.AsyncClient, demo_tokens: dict[str, str]
) -> None:
    failures = []
    for page in example_pages():
        failures += await _run_examples(page, http, demo_tokens)

    assert failures == [], "\n".join(failures)


async def _run_examples(
    page: Path, http: httpx.AsyncClient, demo_tokens: dict[str, str]
) -> list[str]:
    known: dict[str, str] = {}
    failures = []
    for block in blocks(page):
        for line in curl_lines(block):
            failures += await _run_curl(line, block.where, http, demo_tokens, known)
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
        failures += [f"{block.where}: {found}" for found in _nothing_from_the_demo_data(body)]
        _remember(body["data"], known)
    return failures


async def _run_curl(
    line: str,
    where: str,
    http: httpx.AsyncClient,
    demo_tokens: dict[str, str],
    known: dict[str, str],
) -> list[str]:
    """Sends what a `curl` line of the docs sends (the options they use: -H, -d, -o and
    flags) to the app; it must answer 200, and what it answers must hold something."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name.endswith("_TOKEN"):
            return demo_tokens[name.removesuffix("_TOKEN").lower()]
        assert name.lower() in known, f"{where}: no earlier example returned `{name.lower()}`"
        return known[name.lower()]

    words = shlex.split(_fill(SHELL_VARIABLE.sub(value, line), known, where), comments=True)
    headers: dict[str, str] = {}
    data: str | None = None
    url = ""
    options = iter(words[1:])
    for word in options:
        if word == "-H":
            name, _, header = next(options).partition(":")
            headers[name.strip()] = header.strip()
        elif word == "-d":
            data = next(options)
        elif word == "-o":
            next(options)  # the file curl would write
        elif not word.startswith("-"):
            url = word
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    response = await http.request(
        "POST" if data is not None else "GET", target, headers=headers, content=data
    )
    if response.status_code != 200:
        return [f"{where}: curl answered {response.status_code} {response.text[:200]}"]
    if parts.path == "/graphql":
        body = response.json()
        errors = [str(e.get("extensions", {}).get("code")) for e in body.get("errors") or []]
        codes = errors or _user_errors(body["data"])
        return [f"{where}: curl answered {codes}"] if codes else []
    csv = response.headers["content-type"].startswith("text/csv")
    if csv and len(response.text.splitlines()) < 2:
        return [f"{where}: curl answered a CSV without rows"]
    return []


def cli_examples() -> list[tuple[Block, str]]:
    found = []
    for page in PAGES:
        for block in blocks(page):
            if block.language not in SHELL:
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


def run_command(settings: Settings, command: str) -> subprocess.CompletedProcess[str]:
    """A `feedback-hub …` command of the docs, against the test's database and data
    folder (its server secret) and no other hub setting of the environment."""
    assert settings.mongodb_uri is not None
    env = {
        name: value for name, value in os.environ.items() if not name.startswith(("HUB_", "SLACK_"))
    }
    env.update(
        HUB_MONGODB_URI=settings.mongodb_uri.get_secret_value(),
        HUB_DB_NAME=settings.db_name,
        HUB_DATA_DIR=str(settings.data_dir),
    )
    # Where the docs send the output to a file, the test reads it and throws it away.
    arguments = shlex.split(command.split(" > ")[0], comments=True)
    return subprocess.run(
        [sys.executable, "-m", "hub.server.cli", *arguments],
        env=env,
        cwd=settings.data_dir,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.slow
async def test_cli_examples_run_against_the_demo_data(
    settings: Settings, demo_tokens: dict[str, str]
) -> None:
    failures = []
    for block, command in cli_examples():
        if not _runnable(command):
            continue
        result = run_command(settings, command)
        if result.returncode != 0:
            failures.append(f"{block.where}: feedback-hub {command}: {result.stderr.strip()}")

    assert failures == [], "\n".join(failures)


TOUR_RESPONSES = """
query {
  responses(first: 5, filter: { surveyKeys: ["nps-accounting"] }) {
    edges { node { score channel user { id masked } } }
  }
}
"""


@pytest.mark.slow
async def test_the_tours_survey_link_is_answered_and_read_back_unmasked(
    settings: Settings, http: httpx.AsyncClient, demo_tokens: dict[str, str]
) -> None:
    # Given the README tour's link, as its command prints it
    (command,) = [
        command
        for block, command in cli_examples()
        if block.page.name == "README.md" and command.startswith("links create")
    ]
    created = run_command(settings, command)
    assert created.returncode == 0, created.stderr
    printed = re.search(r"http://127\.0\.0\.1:8000(/s/\S+)", created.stdout)
    assert printed is not None, created.stdout
    link = printed.group(1)

    # When the person opens it and answers
    assert (await http.get(link)).status_code == 200
    assert (await http.post(link + "/score", data={"score": "9"})).status_code == 303

    # Then the admin reads the answer in `responses`, the person unmasked
    answer = await http.post(
        "/graphql",
        json={"query": TOUR_RESPONSES},
        headers={"Authorization": f"Bearer {demo_tokens['admin']}"},
    )
    nodes = [edge["node"] for edge in answer.json()["data"]["responses"]["edges"]]
    assert {"score": 9, "channel": "LINK", "user": {"id": "u-2002", "masked": False}} in nodes


async def test_the_demo_data_is_what_the_readme_tour_says(
    database: Database, demo_tokens: dict[str, str]
) -> None:
    displays = database["displays"]

    surveys = {(s["key"], s["metric"], s["status"]) async for s in database["surveys"].find({})}
    assert surveys == {
        ("nps-accounting", "NPS", "ACTIVE"),
        ("ces-payroll", "CES", "ACTIVE"),
        ("csat-support", "CSAT", "ACTIVE"),
    }
    assert set(await displays.distinct("user.id")) == {f"demo-user-{n}" for n in range(60)}
    assert set(await displays.distinct("user.email")) == {f"demo{n}@example.com" for n in range(60)}
    assert len(await displays.distinct("context.company")) == 7
    assert len(await displays.distinct("context.country")) == 6
    requests = {
        (raw["type"], raw["status"], raw["subject"]["user_id"], raw["verification"])
        async for raw in database["rights_requests"].find({})
    }
    assert requests == {
        ("ACCESS", "VERIFIED", "demo-user-3", "OTHER_MEANS"),
        ("OBJECTION", "VERIFIED", "demo-user-5", "OTHER_MEANS"),
        ("ERASURE", "RECEIVED", "demo-user-8", None),
    }
