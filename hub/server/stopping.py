"""Telling long-lived responses that the process was asked to stop.

On SIGINT or SIGTERM uvicorn stops taking connections and then waits, up to its
graceful timeout, for the responses under way to finish; only after that does the
app's lifespan end. A response that streams until the client goes (the console's
live events) never finishes by itself, so every stop would wait out the whole timeout.
`told_of_stop` puts a handler in front of the server's own that sets an event such
streams watch, then hands the signal on unchanged."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import threading
from collections.abc import Iterator
from types import FrameType
from typing import Any

SIGNALS = (signal.SIGINT, signal.SIGTERM)


@contextlib.contextmanager
def told_of_stop(stopping: asyncio.Event) -> Iterator[None]:
    """While inside, SIGINT and SIGTERM set `stopping` (on the running loop) before
    reaching the handler that was there; on leaving, that handler is put back. On
    entering, `stopping` is cleared: an app started again after a stop streams again.
    Signals are the main thread's only: elsewhere only the clearing is done."""
    stopping.clear()  # a stop asked of an earlier run of the app is over
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    loop = asyncio.get_running_loop()
    previous: dict[signal.Signals, Any] = {}

    def handler(sig: int, frame: FrameType | None) -> None:
        loop.call_soon_threadsafe(stopping.set)
        before = previous[signal.Signals(sig)]
        if callable(before):
            before(sig, frame)
        elif before == signal.SIG_DFL:
            signal.signal(sig, signal.SIG_DFL)  # what it would have done: ended the process
            os.kill(os.getpid(), sig)

    for sig in SIGNALS:
        previous[sig] = signal.signal(sig, handler)
    try:
        yield
    finally:
        for sig, before in previous.items():
            signal.signal(sig, before)
