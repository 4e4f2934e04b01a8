"""`feedback-hub serve`: uvicorn with one or several worker processes.

Each worker builds its own app from the `hub.server.app:create_app` factory. With the
embedded database, this parent process starts it before any worker exists and passes
its address down (HUB_MONGODB_URI), so the workers never race to start one; it
supervises it (starts it again should it die; the workers' /healthz and /metrics
report how that fares), and stops it last, after every worker has finished. SIGTERM
(or Ctrl-C) stops the hub gracefully: no new connections, requests in flight
finished, workers' leases handed back, then the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import tempfile
from collections.abc import Iterator
from types import FrameType

import uvicorn
from pydantic import SecretStr

from hub.server import runtime
from hub.settings import Settings

log = logging.getLogger(__name__)


@contextlib.contextmanager
def _embedded_database(settings: Settings) -> Iterator[str | None]:
    """The URI of the database the workers use: None when HUB_MONGODB_URI is set;
    otherwise an embedded server, started here and stopped on the way out."""
    if settings.mongodb_uri is not None:
        yield None
        return
    # Another hub on this data folder may have started it (then that hub stops it)
    uri, embedded = asyncio.run(runtime.find_or_start_embedded(settings))
    supervisor = runtime.supervise(settings, embedded) if embedded is not None else None
    try:
        yield uri
    finally:
        if embedded is not None:
            runtime.stop_embedded(settings, embedded, supervisor)
            log.info("embedded database stopped")


def _load_demo(settings: Settings) -> None:
    from hub.clock import SystemClock
    from hub.server import demo
    from hub.services import Services

    async def load() -> None:
        async with runtime.open_database(settings):
            tokens = await demo.load(Services.build(settings, SystemClock()), settings.data_dir)
            demo.announce(settings, tokens)

    asyncio.run(load())


def serve(settings: Settings, workers: int = 1) -> int:
    """Run the hub until SIGTERM or Ctrl-C; 0 after a graceful stop."""
    serving = False

    def on_signal(sig: int, frame: FrameType | None) -> None:
        # Before uvicorn runs (the database starting), stop at once. Once it has run,
        # uvicorn handles the signal, shuts down, then raises the signal again: it
        # lands here, and the database is still stopped last, on the way out.
        if not serving:
            raise KeyboardInterrupt

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        with _embedded_database(settings) as uri, tempfile.TemporaryDirectory() as counters:
            if uri is not None:
                os.environ["HUB_MONGODB_URI"] = uri
            os.environ["HUB_HOST"] = settings.host
            os.environ["HUB_PORT"] = str(settings.port)
            os.environ["HUB_DEMO_DATA"] = str(settings.demo_data).lower()
            if workers > 1:
                if settings.demo_data:
                    # Loaded once here, not raced by the workers.
                    update = {} if uri is None else {"mongodb_uri": SecretStr(uri)}
                    _load_demo(settings.model_copy(update=update))
                    os.environ["HUB_DEMO_DATA"] = "false"
                # Request counters of all workers are added up at each scrape.
                os.environ["PROMETHEUS_MULTIPROC_DIR"] = counters
            serving = True
            uvicorn.run(
                "hub.server.app:create_app",
                factory=True,
                host=settings.host,
                port=settings.port,
                workers=workers,
                log_config=None,
                access_log=False,
                lifespan="on",
                timeout_graceful_shutdown=30,
            )
    except KeyboardInterrupt:
        log.info("stopped before the hub was serving")
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0
