"""`feedback-hub serve --workers 2` as real processes on the embedded database: SIGTERM
in the middle of a stream of writes stops it gracefully — requests in flight are
answered, no acknowledged write is lost, exit code 0, the database stopped last."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from hub.db import EmbeddedDatabase, free_port, make_client, storage_path_for
from tests.support.processes import METRICS_TOKEN, environment, wait_ready

# Subprocesses, real servers, restarts or fuzzing: not in `make test-fast`.
pytestmark = pytest.mark.slow

CREATE = """
mutation Create($input: CreateSurveyInput!) {
  createSurvey(input: $input) { __typename ... on Survey { key } }
}
"""
TEXTS = [{"locale": "en", "question": "How easy?", "followUp": "Why?", "thankYou": "Thanks"}]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


async def test_sigterm_mid_stream_loses_no_acknowledged_write(tmp_path: Path) -> None:
    data_dir, port = tmp_path / "data", free_port()
    env = environment(data_dir, port)
    log_path = tmp_path / "hub.log"
    with log_path.open("wb") as log_file:
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
        database = json.loads((data_dir / "embedded-db.json").read_text())
        creating = await asyncio.create_subprocess_exec(
            sys.executable,
            *["-m", "hub.server.cli", "keys", "create", "--role", "admin", "--label", "load"],
            env=env,
            cwd=str(tmp_path),
            stdout=asyncio.subprocess.PIPE,
        )
        out, _ = await asyncio.wait_for(creating.communicate(), 60)
        assert creating.returncode == 0
        token = out.decode().strip().splitlines()[-1]

        # The workers' request counters are added up in /metrics
        async with httpx.AsyncClient(base_url=base) as client:
            for _ in range(12):
                await client.get("/healthz", headers={"Connection": "close"})
            scraped = await client.get(
                "/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}
            )
        assert 'hub_requests_total{operation="/healthz",outcome="ok"} 12.0' in scraped.text

        acknowledged: list[str] = []
        answered_after_sigterm: list[str] = []
        broken: list[str] = []  # request ids of requests that got no answer
        statuses: list[int] = []
        sigterm_at: float | None = None
        refused = asyncio.Event()

        async def stream(worker: int) -> None:
            async with httpx.AsyncClient(base_url=base, timeout=30) as client:
                number = 0
                while not refused.is_set():
                    number += 1
                    key = f"load-{worker}-{number}"
                    survey = {
                        "key": key,
                        "metric": "CSAT",
                        "product": "Load",
                        "defaultLocale": "en",
                        "channels": ["IN_APP_WEB"],
                        "texts": TEXTS,
                    }
                    started = time.monotonic()
                    request_id = f"load-request-{worker}-{number:05d}"
                    headers = {
                        "Authorization": f"Bearer {token}",
                        "Connection": "close",
                        "X-Request-ID": request_id,
                    }
                    try:
                        answer = await client.post(
                            "/graphql",
                            json={"query": CREATE, "variables": {"input": survey}},
                            headers=headers,
                        )
                    except httpx.ConnectError:
                        refused.set()  # the hub no longer takes connections
                        return
                    except httpx.TransportError as error:
                        if sigterm_at is None:
                            raise AssertionError("a request failed before SIGTERM") from error
                        broken.append(request_id)
                        return  # connected to a listener that was closing
                    statuses.append(answer.status_code)
                    body: dict[str, Any] = answer.json()
                    if (body.get("data") or {}).get("createSurvey", {}).get("key") == key:
                        acknowledged.append(key)
                        if sigterm_at is not None and started < sigterm_at:
                            answered_after_sigterm.append(key)

        async def terminate() -> None:
            nonlocal sigterm_at
            await asyncio.sleep(2.0)
            sigterm_at = time.monotonic()
            hub.send_signal(signal.SIGTERM)

        async with asyncio.timeout(60):
            await asyncio.gather(terminate(), *(stream(worker) for worker in range(6)))
        code = await asyncio.wait_for(hub.wait(), 60)
    finally:
        if hub.returncode is None:
            hub.kill()
            await hub.wait()
    output = log_path.read_text()

    assert code == 0, output[-3000:]
    assert not alive(int(database["pid"])), "the embedded database was left running"
    assert not (data_dir / "embedded-db.json").exists()
    assert len(acknowledged) > 20
    assert answered_after_sigterm, "no request was in flight at SIGTERM: make the stream denser"
    assert set(statuses) == {200}
    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    # A connection the kernel queued just as the listener closed is reset: no worker
    # ever took that request. One a worker took was answered before it stopped.
    handled = {line.get("request_id") for line in lines if line["logger"] == "hub.requests"}
    assert handled & set(broken) == set()
    assert len(handled) >= len(statuses)
    stops = [line for line in lines if line["message"] == "embedded database stopped"]
    assert stops and stops[0] == lines[-1], "the database was not stopped last"
    assert sum("released" in line["message"] for line in lines) == 2  # both workers

    # Every acknowledged write is there after a restart of the database
    server = EmbeddedDatabase(storage_path_for(data_dir))
    server.start()
    try:
        await server.wait_ready()
        database_client = make_client(server.uri)
        try:
            surveys = database_client["feedback_hub"]["surveys"]
            keys = {doc["key"] async for doc in surveys.find({}, {"key": 1})}
        finally:
            await database_client.close()
    finally:
        server.stop()
    assert set(acknowledged) <= keys
