"""`feedback-hub serve --demo` (what `make run` runs) as a real process: it prints the
address and tokens, serves on loopback, and on Ctrl-C stops, database included."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import sys
from pathlib import Path

import httpx
import pytest

from hub.db import free_port
from tests.support.console import ConsoleClient
from tests.support.processes import wait_ready

# Subprocesses, real servers, restarts or fuzzing: not in `make test-fast`.
pytestmark = pytest.mark.slow


async def start(data_dir: Path, port: int) -> tuple[asyncio.subprocess.Process, str]:
    env = dict(os.environ, HUB_DATA_DIR=str(data_dir), HUB_PORT=str(port))
    env.pop("HUB_MONGODB_URI", None)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "hub.server.cli",
        "serve",
        "--demo",
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    assert process.stdout is not None
    printed = ""
    async with asyncio.timeout(90):
        while "Stop with Ctrl-C." not in printed:
            line = await process.stdout.readline()
            assert line, f"the hub exited early:\n{printed}"
            printed += line.decode()
    return process, printed


async def stop(process: asyncio.subprocess.Process) -> int:
    process.send_signal(signal.SIGINT)
    async with asyncio.timeout(30):
        assert process.stdout is not None
        await process.stdout.read()
        return await process.wait()


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


async def test_serve_demo_then_ctrl_c(tmp_path: Path) -> None:
    port = free_port()
    process, printed = await start(tmp_path / "data", port)
    try:
        assert f"GraphiQL:       http://127.0.0.1:{port}/graphql" in printed
        admin = re.search(r"admin:\s+(fh_\S+)", printed)
        assert admin and re.search(r"widget:\s+fh_\S+", printed)
        database_pid = json.loads((tmp_path / "data" / "embedded-db.json").read_text())["pid"]

        await wait_ready(f"http://127.0.0.1:{port}", process)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            body = (
                await client.post(
                    "/graphql",
                    json={"query": "{ surveys { key } responses(first: 1) { totalCount } }"},
                    headers={"Authorization": f"Bearer {admin.group(1)}"},
                )
            ).json()
        assert {s["key"] for s in body["data"]["surveys"]} == {
            "nps-accounting",
            "ces-payroll",
            "csat-support",
        }
        answered = body["data"]["responses"]["totalCount"]
        assert answered > 20
    finally:
        code = await stop(process)

    assert code == 0
    assert not alive(database_pid)

    # The next start finds the data and the same tokens, and loads nothing twice.
    process, printed_again = await start(tmp_path / "data", port)
    try:
        assert f"admin:  {admin.group(1)}" in printed_again
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            body = (
                await client.post(
                    "/graphql",
                    json={"query": "{ responses(first: 1) { totalCount } }"},
                    headers={"Authorization": f"Bearer {admin.group(1)}"},
                )
            ).json()
        assert body["data"]["responses"]["totalCount"] == answered
    finally:
        assert await stop(process) == 0


async def test_ctrl_c_ends_the_consoles_live_streams_instead_of_waiting_them_out(
    tmp_path: Path,
) -> None:
    # Given a console tab listening to the live updates of a served hub
    port = free_port()
    process, printed = await start(tmp_path / "data", port)
    try:
        admin = re.search(r"admin:\s+(fh_\S+)", printed)
        assert admin
        base = f"http://127.0.0.1:{port}"
        await wait_ready(base, process)
        async with httpx.AsyncClient(base_url=base, timeout=120) as http:
            console = ConsoleClient(http)
            assert (await console.sign_in_with_key(admin.group(1))).status_code == 303
            async with http.stream("GET", "/console/events") as events:
                chunks = events.aiter_text()
                assert ": listening" in await anext(chunks)

                # When the hub is stopped with Ctrl-C
                process.send_signal(signal.SIGINT)

                # Then the hub ends the stream itself (not cut by the server's graceful
                # time-out, which would have been logged) and stops cleanly
                rest = [chunk async for chunk in chunks]
        assert "signed-out" not in "".join(rest)
        async with asyncio.timeout(90):
            assert process.stdout is not None
            said = (await process.stdout.read()).decode()
            code = await process.wait()
        assert code == 0
        assert "graceful shutdown exceeded" not in said
    finally:
        if process.returncode is None:  # a failed step must not leave the hub running
            process.kill()
            await process.wait()
