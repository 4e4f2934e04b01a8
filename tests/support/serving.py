"""The app served by a real uvicorn on a free loopback port, for what an in-process
transport cannot carry (websockets)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import uvicorn
from starlette.applications import Starlette

from tests.support.network import free_port
from tests.support.waiting import eventually


@contextlib.asynccontextmanager
async def serving(app: Starlette) -> AsyncIterator[str]:
    """`app` (its lifespan already run by the caller) on 127.0.0.1; yields its
    `host:port`."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off", log_level="warning")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        await eventually(lambda: server.started, within=10.0)
        yield f"127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
