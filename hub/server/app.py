"""The ASGI application: one Starlette app serving GraphQL and the health checks."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import AsyncIterator, Iterator

import uvicorn
from pymongo.errors import PyMongoError
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route, WebSocketRoute

from bots.slack.app import SlackBot
from graphql_schema.schema import build_schema
from graphql_schema.view import HubGraphQL
from hub.clock import Clock, SystemClock
from hub.db import cancel_and_wait, ping
from hub.logs import configure_logging
from hub.server import demo
from hub.server.console import api_for
from hub.server.exports import export_responses
from hub.server.limits import RequestLimits
from hub.server.metrics import HubMetrics, metrics_endpoint
from hub.server.runtime import embedded_status, open_database
from hub.server.stopping import told_of_stop
from hub.server.telemetry import RequestTelemetry
from hub.services import Services
from hub.services.platform.migrations import migrate_if_needed
from hub.settings import Settings
from hub.web import graphiql, pages
from hub.web import privacy as privacy_pages
from hub.web.console import routes as console
from hub.web.widget import widget_js

log = logging.getLogger(__name__)
# The longest /readyz waits for the database to answer its ping.
READINESS_SECONDS = 2.0


def _start_workers(settings: Settings, services: Services) -> list[asyncio.Task[None]]:
    if not settings.background_workers:
        return []
    return [
        asyncio.create_task(services.dispatcher.run_forever(), name="outbox-dispatcher"),
        asyncio.create_task(services.scheduler.run_forever(), name="scheduler"),
        asyncio.create_task(services.analytics.folder.run_forever(), name="rollup-folder"),
        asyncio.create_task(services.tagger.run_forever(), name="theme-tagger"),
        asyncio.create_task(services.theme_jobs.run_forever(), name="theme-jobs"),
    ]


async def _start_relay(settings: Settings, services: Services) -> asyncio.Task[None]:
    """Follow the live events of every process before serving, so a subscriber hears
    of writes from the first request on."""
    task = asyncio.create_task(services.relay.run_forever(), name="live-events")
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(services.relay.following.wait(), settings.db_timeout_ms / 1000)
    if task.done():
        task.result()  # a relay that could not start at all says why
    elif not services.relay.following.is_set():
        log.warning("live events are not followed yet; responseEvents start once they are")
    return task


async def _stop_workers(
    services: Services, workers: list[asyncio.Task[None]], grace: float = 10.0
) -> None:
    """Let the workers finish what they hold (for up to `grace` seconds), then hand
    their leases back so another process takes over at once."""
    services.dispatcher.stop()
    services.scheduler.stop()
    services.analytics.folder.stop()
    services.tagger.stop()
    services.theme_jobs.stop()
    if workers:
        _, unfinished = await asyncio.wait(workers, timeout=grace)
        for task in unfinished:
            await cancel_and_wait(task)
    try:
        messages = await services.outbox.release_owner(services.dispatcher.owner)
        jobs = await services.leases.release_all()
    except PyMongoError as error:
        log.warning("could not release leases (%s); they expire on their own", type(error).__name__)
        return
    log.info("released %d outbox message(s) and %d job lease(s)", messages, jobs)


class _QuietServer(uvicorn.Server):
    """A second uvicorn server inside the app (the metrics port): signals are the main
    server's to handle."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


async def _serve_metrics(
    settings: Settings, metrics: HubMetrics
) -> tuple[_QuietServer, asyncio.Task[None]] | None:
    if settings.metrics_port is None:
        return None
    app = Starlette(routes=[Route("/metrics", metrics_endpoint(metrics, None))])
    server = _QuietServer(
        uvicorn.Config(
            app,
            host=settings.host,
            port=settings.metrics_port,
            log_config=None,
            lifespan="off",
            access_log=False,
        )
    )
    # Bound here, so a port in use fails the start with a clear error.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((settings.host, settings.metrics_port))
    task = asyncio.create_task(server.serve(sockets=[sock]), name="metrics-server")
    log.info("metrics on port %s", settings.metrics_port)
    return server, task


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


# Smaller answers gain less from gzip than its header and the work cost.
GZIP_MINIMUM_BYTES = 500


def _compressed(routes: list[BaseRoute]) -> list[BaseRoute]:
    """Gzip these routes' answers for clients that accept it (Vary: Accept-Encoding).
    Only pages and scripts are given here, never /graphql: its subscriptions (SSE,
    multipart, websockets) must go out as they come, not held back by a compressor."""
    for route in routes:
        if isinstance(route, Route):
            # What Route(middleware=[...]) does, for routes built elsewhere.
            route.app = GZipMiddleware(route.app, minimum_size=GZIP_MINIMUM_BYTES, compresslevel=6)
    return routes


def _announce_slack(slack: SlackBot | None) -> None:
    if slack is None:
        log.info("Slack is off (no SLACK_BOT_TOKEN): follow-ups work over GraphQL only")
    elif slack.app is None:
        log.warning("no SLACK_SIGNING_SECRET: posting to Slack, but /slack/events is off")


def _json_lines(settings: Settings) -> bool | None:
    return None if settings.log_format == "auto" else settings.log_format == "json"


def create_app(
    settings: Settings | None = None,
    clock: Clock | None = None,
    services: Services | None = None,
) -> Starlette:
    """The hub. `services` may be given to share them (and their caches) with the caller."""
    settings_given = settings
    settings = settings or Settings()
    services = services or Services.build(settings, clock or SystemClock())
    if settings_given is None:
        # Built by uvicorn from an import string (`serve --workers`): set up this process.
        configure_logging(settings.log_level, _json_lines(settings))
    metrics = HubMetrics(services)
    schema = build_schema(settings)
    graphql = HubGraphQL(schema, services)
    slack = SlackBot(settings, services) if settings.slack_bot_token is not None else None
    if slack is not None:
        slack.start()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with open_database(settings) as opened:
            app.state.client = opened.client
            await services.privacy.exports.clean_up()
            await migrate_if_needed(services.clock)
            await services.analytics.add_breakdown_levels()
            # A restored backup must not bring erased people back (counts only logged).
            await services.ledger_reapply().run_if_restored()
            if settings.demo_data:
                tokens = await demo.load(services, settings.data_dir)
                demo.announce(settings, tokens)
            _announce_slack(slack)
            metrics.meter(services.dispatcher)
            metrics_server = await _serve_metrics(settings, metrics)
            workers = _start_workers(settings, services)
            relay = await _start_relay(settings, services)
            log.info("hub ready")
            try:
                with told_of_stop(services.stopping):
                    yield
            finally:
                log.info("hub stopping")
                await cancel_and_wait(relay)
                await _stop_workers(services, workers)
                if metrics_server is not None:
                    metrics_server[0].should_exit = True
                    await metrics_server[1]

    async def healthz(request: Request) -> JSONResponse:
        embedded = embedded_status(settings)
        if embedded is not None and not embedded.healthy:
            # A process supervisor restarting the hub may get the database back.
            body = {"status": "unhealthy", "database": "embedded database cannot be restarted"}
            return JSONResponse(body, status_code=503)
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> JSONResponse:
        client = getattr(request.app.state, "client", None)
        # A probe gets its answer within seconds, whatever the calls' own limit: a
        # database that does not answer by then is not ready for them either.
        within = min(READINESS_SECONDS, settings.db_timeout_ms / 1000)
        if client is not None and await ping(client, within):
            return JSONResponse({"status": "ready", "database": "ok"})
        return JSONResponse({"status": "not ready", "database": "unavailable"}, status_code=503)

    routes = [
        Route("/graphql", graphql, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", graphql),
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/exports/responses.csv", export_responses),
        *_compressed(
            [
                Route("/widget.js", widget_js, methods=["GET"]),
                *pages.routes(),
                *(graphiql.routes() if settings.introspection != "off" else []),
                *privacy_pages.routes(),
                *console.routes(api_for(schema, services)),
            ]
        ),
    ]
    if slack is not None and slack.app is not None:
        routes.append(Route("/slack/events", slack.endpoint, methods=["POST"]))
    if settings.metrics_token is not None:
        token = settings.metrics_token.get_secret_value()
        routes.append(Route("/metrics", metrics_endpoint(metrics, token)))
    app = Starlette(
        # Telemetry outermost, then CORS, so a refusal by the limits still reaches
        # the page readably and is logged and counted.
        middleware=[
            Middleware(RequestTelemetry, metrics=metrics),
            *_cors(settings),
            Middleware(RequestLimits, settings=settings),
        ],
        routes=routes,
        lifespan=lifespan,
    )
    app.state.services = services
    app.state.settings = settings
    app.state.metrics = metrics
    app.state.slack_bot = slack
    return app
