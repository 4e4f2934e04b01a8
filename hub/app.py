"""The ASGI application: one Starlette app serving GraphQL and the health checks."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute

from bots.slack.app import SlackBot
from graphql_schema.schema import build_schema
from graphql_schema.view import HubGraphQL
from hub import demo
from hub.clock import Clock, SystemClock
from hub.db import ping
from hub.exports_endpoint import export_responses
from hub.limits import RequestLimits
from hub.runtime import open_database
from hub.services import Services
from hub.settings import Settings
from hub.web import pages
from hub.web.widget import widget_js

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


def _cors(settings: Settings) -> list[Middleware]:
    """CORS, so pages on the listed origins can call /graphql (the banner does);
    bearer tokens only, no cookies, so credentials stay off."""
    if not settings.cors_origins:
        return []
    return [
        Middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["authorization", "content-type"],
            allow_credentials=False,
            max_age=600,
        )
    ]


def _announce_slack(slack: SlackBot | None) -> None:
    if slack is None:
        log.info("Slack is off (no SLACK_BOT_TOKEN): follow-ups work over GraphQL only")
    elif slack.app is None:
        log.warning("no SLACK_SIGNING_SECRET: posting to Slack, but /slack/events is off")


def create_app(
    settings: Settings | None = None,
    clock: Clock | None = None,
    services: Services | None = None,
) -> Starlette:
    """The hub. `services` may be given to share them (and their caches) with the caller."""
    settings = settings or Settings()
    services = services or Services.build(settings, clock or SystemClock())
    graphql = HubGraphQL(build_schema(settings), services)
    slack = SlackBot(settings, services) if settings.slack_bot_token is not None else None
    if slack is not None:
        slack.delivery.register()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with open_database(settings) as opened:
            app.state.client = opened.client
            if settings.demo_data:
                tokens = await demo.load(services, settings.data_dir)
                demo.announce(settings, tokens)
            _announce_slack(slack)
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

    routes = [
        Route("/graphql", graphql, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", graphql),
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/exports/responses.csv", export_responses),
        Route("/widget.js", widget_js, methods=["GET"]),
        *pages.routes(),
    ]
    if slack is not None and slack.app is not None:
        routes.append(Route("/slack/events", slack.endpoint, methods=["POST"]))
    app = Starlette(
        # CORS outermost, so a refusal by the limits still reaches the page readably.
        middleware=[*_cors(settings), Middleware(RequestLimits, settings=settings)],
        routes=routes,
        lifespan=lifespan,
    )
    app.state.services = services
    app.state.settings = settings
    return app
