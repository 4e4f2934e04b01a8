"""The database process is killed with SIGKILL during a stream of submissions and
started again: every submission the API acknowledged is still there, calls made while
it was down got a clear, retryable UNAVAILABLE (not a hang, not a stack trace),
/readyz followed the outage, no call took longer than the time limits promise, and a
live-events subscriber heard of every acknowledged score, those just before the kill
included."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr

from hub.clock import SystemClock
from hub.db import EmbeddedDatabase
from hub.models.activity import Display
from hub.models.common import Role
from hub.models.event import EventKind
from hub.models.response import Response
from hub.server.app import create_app
from hub.settings import Settings
from tests.factories import make_survey

SHOW = """
mutation($user: UserInput!) {
  recordDisplay(surveyKey: "nps-main", user: $user, channel: IN_APP_WEB) {
    __typename ... on DisplayRecorded { displayId } ... on UserError { code }
  }
}
"""
DB_TIMEOUT_MS = 500
WRITE_TIMEOUT_MS = 1000
# A write's answer comes within HUB_WRITE_TIMEOUT_MS in all; its API key may need one
# read (HUB_DB_TIMEOUT_MS) first. The margin is a hang guard on a busy machine.
LONGEST_CALL = (DB_TIMEOUT_MS + WRITE_TIMEOUT_MS) / 1000 + 6.0
SCORE = """
mutation($id: ID!) {
  submitScore(displayId: $id, score: 7) {
    __typename ... on ScoreSubmitted { responseId } ... on UserError { code }
  }
}
"""


async def test_acknowledged_submissions_survive_a_killed_database(tmp_path: Path) -> None:
    server = EmbeddedDatabase(tmp_path / "db")
    server.start()
    await server.wait_ready()
    settings = Settings(
        _env_file=None,
        mongodb_uri=SecretStr(server.uri),
        data_dir=tmp_path / "data",
        db_timeout_ms=DB_TIMEOUT_MS,
        write_timeout_ms=WRITE_TIMEOUT_MS,
        rate_limit_per_address="",
        rate_limit_per_token="",
    )
    app = create_app(settings, SystemClock())
    acknowledged_displays: list[str] = []
    acknowledged_responses: list[str] = []
    refusals: list[dict[str, Any]] = []
    readiness: list[int] = []
    union_errors: list[dict[str, Any]] = []
    durations: list[float] = []
    try:
        async with app.router.lifespan_context(app):
            services = app.state.services
            await make_survey(services)
            announced: set[str] = set()

            async def listen() -> None:
                async for event in services.analytics.events.listen():
                    if event.kind is EventKind.SCORE and event.response is not None:
                        announced.add(str(event.response.id))

            listening = asyncio.create_task(listen())
            _, token = await services.keys.create(Role.WIDGET, "stream")
            headers = {"Authorization": f"Bearer {token}"}
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(
                transport=transport, base_url="http://hub.test", timeout=30
            ) as http:

                async def call(query: str, variables: dict[str, Any]) -> dict[str, Any] | None:
                    started = asyncio.get_running_loop().time()
                    response = await http.post(
                        "/graphql", json={"query": query, "variables": variables}, headers=headers
                    )
                    durations.append(asyncio.get_running_loop().time() - started)
                    assert response.status_code == 200, response.text
                    body: dict[str, Any] = response.json()
                    if body.get("errors"):
                        refusals.extend(body["errors"])
                        return None
                    data: dict[str, Any] = body["data"]
                    return data

                over = asyncio.Event()

                async def stream(worker: int) -> None:
                    number = 0
                    while not over.is_set():
                        number += 1
                        user = {"id": f"w{worker}-{number}"}
                        shown = await call(SHOW, {"user": user})
                        if shown is None:
                            await asyncio.sleep(0.05)
                            continue
                        if shown["recordDisplay"]["__typename"] != "DisplayRecorded":
                            union_errors.append(shown["recordDisplay"])
                            continue
                        display_id = shown["recordDisplay"]["displayId"]
                        acknowledged_displays.append(display_id)
                        scored = await call(SCORE, {"id": display_id})
                        if scored is not None:
                            acknowledged_responses.append(scored["submitScore"]["responseId"])

                async def acknowledged(count: int) -> None:
                    # Counted, not timed: a busy machine only makes the wait longer
                    while True:
                        if len(acknowledged_responses) >= count:
                            return
                        await asyncio.sleep(0.05)

                async def outage() -> None:
                    await acknowledged(6)
                    assert server.pid is not None
                    os.kill(server.pid, signal.SIGKILL)
                    server.stop()
                    await asyncio.sleep(0.3)
                    readiness.append((await http.get("/readyz")).status_code)
                    await asyncio.sleep(1.5)
                    server.start()
                    await server.wait_ready()
                    await acknowledged(len(acknowledged_responses) + 6)
                    over.set()

                async with asyncio.timeout(120):
                    await asyncio.gather(outage(), *(stream(worker) for worker in range(3)))
                readiness.append((await http.get("/readyz")).status_code)

            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(15):
                    while True:  # the relay catches up after the restart
                        if set(acknowledged_responses) <= announced:
                            break
                        await asyncio.sleep(0.1)
            listening.cancel()
            stored_displays = {str(d.id) for d in await Display.find_all().to_list()}
            stored_responses = {str(r.id) for r in await Response.find_all().to_list()}
    finally:
        with contextlib.suppress(Exception):
            server.stop()

    assert union_errors == []
    assert refusals, "the outage was not noticed: make the stream longer"
    assert {error["extensions"]["code"] for error in refusals} == {"UNAVAILABLE"}
    assert all("Traceback" not in error["message"] for error in refusals)
    assert readiness == [503, 200]
    assert max(durations) < LONGEST_CALL
    assert set(acknowledged_displays) <= stored_displays
    assert set(acknowledged_responses) <= stored_responses
    assert len(acknowledged_responses) > 10
    assert set(acknowledged_responses) <= announced
