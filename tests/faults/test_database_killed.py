"""The database process is killed with SIGKILL during a stream of submissions and
started again: every submission the API acknowledged is there exactly once, calls made
while it was down got a clear, retryable UNAVAILABLE (not a hang, not a stack trace),
/readyz followed the outage, no call took longer than the time limits promise, and a
live-events subscriber heard of every acknowledged score, those just before the kill
included.

The stream is a fixed number of flows, and the outage is placed by counting what was
acknowledged, never by time: only correctness is asserted, so a slow machine makes
the test slower, not red."""

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
WORKERS = 3
# Each worker's flows before the restart, and after it.
FLOWS_BEFORE, FLOWS_AFTER = 8, 4
# Calls made for certain while the database is down (the workers may be between flows).
PROBES = 3
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

                restarted = asyncio.Event()
                refused_flows: list[str] = []

                async def flow(user_id: str) -> None:
                    shown = await call(SHOW, {"user": {"id": user_id}})
                    if shown is None:
                        refused_flows.append(user_id)
                        return
                    if shown["recordDisplay"]["__typename"] != "DisplayRecorded":
                        union_errors.append(shown["recordDisplay"])
                        return
                    display_id = shown["recordDisplay"]["displayId"]
                    acknowledged_displays.append(display_id)
                    scored = await call(SCORE, {"id": display_id})
                    if scored is None:
                        refused_flows.append(user_id)
                    else:
                        acknowledged_responses.append(scored["submitScore"]["responseId"])

                async def stream(worker: int) -> None:
                    for number in range(FLOWS_BEFORE):
                        await flow(f"w{worker}-{number}")
                    await restarted.wait()
                    for number in range(FLOWS_BEFORE, FLOWS_BEFORE + FLOWS_AFTER):
                        await flow(f"w{worker}-{number}")

                async def acknowledged(count: int) -> None:
                    # Counted, not timed: a busy machine only makes the wait longer
                    while True:
                        if len(acknowledged_responses) >= count:
                            return
                        await asyncio.sleep(0.05)

                probes: list[dict[str, Any] | None] = []

                async def outage() -> None:
                    await acknowledged(6)
                    assert server.pid is not None
                    os.kill(server.pid, signal.SIGKILL)
                    server.stop()
                    await asyncio.sleep(0.3)
                    readiness.append((await http.get("/readyz")).status_code)
                    for number in range(PROBES):
                        probes.append(await call(SHOW, {"user": {"id": f"probe-{number}"}}))
                    server.start()
                    await server.wait_ready()
                    restarted.set()

                async with asyncio.timeout(180):  # a hang guard only
                    await asyncio.gather(outage(), *(stream(worker) for worker in range(WORKERS)))
                readiness.append((await http.get("/readyz")).status_code)

            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(15):
                    while True:  # the relay catches up after the restart
                        if set(acknowledged_responses) <= announced:
                            break
                        await asyncio.sleep(0.1)
            listening.cancel()
            stored_displays = await Display.find_all().to_list()
            stored_responses = await Response.find_all().to_list()
    finally:
        with contextlib.suppress(Exception):
            server.stop()

    assert union_errors == []
    assert probes == [None] * PROBES, "a call while the database was down was not refused"
    assert {error["extensions"]["code"] for error in refusals} == {"UNAVAILABLE"}
    assert all("Traceback" not in error["message"] for error in refusals)
    assert readiness == [503, 200]
    assert max(durations) < LONGEST_CALL
    # Every flow ended acknowledged or refused, and the hub wrote again after the restart.
    flows = WORKERS * (FLOWS_BEFORE + FLOWS_AFTER)
    assert len(acknowledged_responses) + len(refused_flows) == flows
    after_restart = {
        f"w{worker}-{number}"
        for worker in range(WORKERS)
        for number in range(FLOWS_BEFORE, FLOWS_BEFORE + FLOWS_AFTER)
    }
    assert any(display.user.id in after_restart for display in stored_displays)
    # Every acknowledged write is stored, once: one display per person, one response
    # per display (a refused write may still have committed, but only once).
    assert set(acknowledged_displays) <= {str(display.id) for display in stored_displays}
    assert set(acknowledged_responses) <= {str(response.id) for response in stored_responses}
    people = [display.user.id for display in stored_displays]
    assert len(people) == len(set(people))
    answered = [response.display_id for response in stored_responses]
    assert len(answered) == len(set(answered))
    assert set(acknowledged_responses) <= announced
