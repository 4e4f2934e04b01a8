"""Bounded waiting for work that happens after a request returned."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable


async def eventually(check: Callable[[], Awaitable[bool] | bool], within: float = 10.0) -> None:
    """Wait, at most `within` seconds, until `check` holds: for work that runs after
    the request that caused it returned (Slack acks, page scripts, live events)."""
    deadline = asyncio.get_running_loop().time() + within
    while True:
        result = check()
        if not isinstance(result, bool):
            result = await result
        if result:
            return
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("the expected side effect did not happen in time")
        await asyncio.sleep(0.02)
