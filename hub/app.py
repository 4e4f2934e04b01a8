"""The ASGI application: one Starlette app serving GraphQL and the health checks."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute

from graphql_schema.schema import build_schema
from graphql_schema.view import HubGraphQL
from hub import demo
from hub.clock import Clock, SystemClock
from hub.db import ping
from hub.exports_endpoint import export_responses
from hub.runtime import open_database
from hub.services import Services
from hub.settings import Settings

log = logging.getLogger(__name__)


def _start_workers(settings: Settings, services: Services) -> list[asyncio.Task[None]]:
    if not settings.background_workers:
        return []
    return [asyncio.create_task(services.dispatcher.run_forever(), name="outbox-dispatcher")]


async def _stop_workers(workers: list[asyncio.Task[None]]) -> None:
    for task in workers:
        task.cancel()
    for task in workers:
        with contextlib.suppress(asyncio.CancelledError):
            await task


def create_app(settings: Settings | None = None, clock: Clock | None = None) -> Starlette:
    settings = settings or Settings()
    services = Services.build(settings, clock or SystemClock())
    graphql = HubGraphQL(build_schema(settings), services)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with open_database(settings) as opened:
            app.state.client = opened.client
            if settings.demo_data:
                tokens = await demo.load(services, settings.data_dir)
                demo.announce(settings, tokens)
            workers = _start_workers(settings, services)
            log.info("hub ready")
            try:
                yield
            finally:
                log.info("hub stopping")
                await _stop_workers(workers)

    async def healthz(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> JSONResponse:
        client = getattr(request.app.state, "client", None)
        if client is not None and await ping(client):
            return JSONResponse({"status": "ready", "database": "ok"})
        return JSONResponse({"status": "not ready", "database": "unavailable"}, status_code=503)

    app = Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            Route("/exports/responses.csv", export_responses),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
        ],
        lifespan=lifespan,
    )
    app.state.services = services
    app.state.settings = settings
    return app
