"""Two worker processes of `feedback-hub serve --workers 2`, both running the outbox
dispatcher against one database and one Slack workspace (the fake): every follow-up
is posted exactly once."""

from __future__ import annotations

import asyncio
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest

from bots.slack.blocks import follow_up_ids_in
from hub.db import free_port
from tests.support.processes import environment, wait_ready
from tests.support.slack import FakeSlack
from tests.support.slack_sender import SIGNING_SECRET
from tests.support.waiting import eventually

# Subprocesses, real servers, restarts or fuzzing: not in `make test-fast`.
pytestmark = pytest.mark.slow

CREATE = """
mutation Create($input: CreateSurveyInput!) { createSurvey(input: $input) { __typename } }
"""
ACTIVATE = 'mutation { setSurveyStatus(key: "nps-load", status: ACTIVE) { __typename } }'
ROUTE = """
mutation { setRoutingDefaults(defaultChannelId: "CROUTED", escalationChannelId: "CESCALATE") {
  __typename } }
"""
SHOW = """
mutation Show($user: UserInput!) {
  recordDisplay(surveyKey: "nps-load", user: $user, channel: IN_APP_WEB) {
    ... on DisplayRecorded { displayId }
  }
}
"""
SCORE = """
mutation Score($display: ID!, $score: Int!) {
  submitScore(displayId: $display, score: $score) { ... on ScoreSubmitted { responseId } }
}
"""
COMMENT = """
mutation Comment($response: ID!) {
  submitComment(responseId: $response, comment: "Too slow") { __typename }
}
"""
SURVEY = {
    "key": "nps-load",
    "metric": "NPS",
    "product": "Load",
    "defaultLocale": "en",
    "channels": ["IN_APP_WEB"],
    "texts": [{"locale": "en", "question": "Recommend?", "followUp": "Why?", "thankYou": "Ta"}],
}


async def create_key(env: dict[str, str], cwd: Path, role: str) -> str:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        *["-m", "hub.server.cli", "keys", "create", "--role", role, "--label", f"{role} key"],
        env=env,
        cwd=str(cwd),
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0
    return out.decode().strip().splitlines()[-1]


async def test_two_workers_post_each_follow_up_once(tmp_path: Path) -> None:
    slack = FakeSlack()
    await slack.start()
    slack.slow_down("chat.postMessage", 0.05)  # deliveries overlap between the workers
    port = free_port()
    env = environment(tmp_path / "data", port) | {
        "SLACK_BOT_TOKEN": "xoxb-workers",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": slack.api_url,
        "HUB_OUTBOX_POLL_SECONDS": "0.05",
    }
    with (tmp_path / "hub.log").open("wb") as log_file:
        hub = await asyncio.create_subprocess_exec(
            sys.executable,
            *["-m", "hub.server.cli", "serve", "--workers", "2"],
            env=env,
            cwd=str(tmp_path),
            stdout=log_file,
            stderr=asyncio.subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        await wait_ready(base, hub)
        admin = await create_key(env, tmp_path, "admin")
        widget = await create_key(env, tmp_path, "widget")
        async with httpx.AsyncClient(base_url=base, timeout=30) as http:

            async def call(query: str, token: str, **variables: Any) -> dict[str, Any]:
                answer = await http.post(
                    "/graphql",
                    json={"query": query, "variables": variables},
                    headers={"Authorization": f"Bearer {token}"},
                )
                body: dict[str, Any] = answer.json()
                assert not body.get("errors"), body
                data: dict[str, Any] = body["data"]
                return data

            await call(CREATE, admin, input=SURVEY)
            await call(ACTIVATE, admin)
            await call(ROUTE, admin)

            async def answer(number: int) -> None:
                shown = await call(SHOW, widget, user={"id": f"load-{number}"})
                display = shown["recordDisplay"]["displayId"]
                score = 3 if number % 2 else 9  # half are detractors: two channels
                scored = await call(SCORE, widget, display=display, score=score)
                await call(COMMENT, widget, response=scored["submitScore"]["responseId"])

            await asyncio.gather(*(answer(number) for number in range(24)))

        def posts() -> Counter[tuple[str, str]]:
            counted: Counter[tuple[str, str]] = Counter()
            for call in slack.calls_to("chat.postMessage"):
                _, about = follow_up_ids_in(call.args.get("metadata"))
                counted.update((str(call.args["channel"]), follow_up) for follow_up in about)
            return counted

        await eventually(lambda: len(posts()) == 24 + 12, within=60)
        await asyncio.sleep(1.0)  # time for a double to show up
        hub.terminate()
        assert await asyncio.wait_for(hub.wait(), 60) == 0
    finally:
        if hub.returncode is None:
            hub.kill()
            await hub.wait()
        await slack.stop()

    counted = posts()
    assert len(counted) == 36
    assert set(counted.values()) == {1}, "a follow-up was posted twice"
