"""Starting hub processes and waiting until they are ready."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import httpx

METRICS_TOKEN = "metrics-token-0123456789"


def environment(data_dir: Path, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HUB_", "SLACK_"))}
    return env | {
        "HUB_DATA_DIR": str(data_dir),
        "HUB_PORT": str(port),
        "HUB_RATE_LIMIT_PER_ADDRESS": "",
        "HUB_RATE_LIMIT_PER_TOKEN": "",
        "HUB_LOG_FORMAT": "json",
        "HUB_METRICS_TOKEN": METRICS_TOKEN,
    }


async def wait_ready(base: str, process: asyncio.subprocess.Process) -> None:
    async with httpx.AsyncClient(base_url=base) as client:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            assert process.returncode is None, "the hub exited during start"
            try:
                if (await client.get("/readyz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise AssertionError("the hub did not become ready")
