"""SIGINT and SIGTERM tell the app's long-lived responses to end (`told_of_stop`),
then reach the handler that was there; a stop is forgotten when the app starts again."""

from __future__ import annotations

import asyncio
import os
import signal
from types import FrameType

from hub.server.stopping import told_of_stop


async def test_a_signal_sets_stopping_and_reaches_the_handler_before() -> None:
    stopping = asyncio.Event()
    received: list[int] = []

    def before(sig: int, frame: FrameType | None) -> None:
        received.append(sig)

    previous = signal.signal(signal.SIGTERM, before)
    try:
        with told_of_stop(stopping):
            os.kill(os.getpid(), signal.SIGTERM)
            async with asyncio.timeout(30):  # a hang guard only
                await stopping.wait()
        assert received == [signal.SIGTERM]
        assert signal.getsignal(signal.SIGTERM) is before  # put back on leaving
    finally:
        signal.signal(signal.SIGTERM, previous)


async def test_an_app_started_again_after_a_stop_is_not_stopping() -> None:
    stopping = asyncio.Event()
    stopping.set()  # the stop of an earlier run
    with told_of_stop(stopping):
        assert not stopping.is_set()
