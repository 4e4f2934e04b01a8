"""Per-request telemetry: a request id (taken from a sane `X-Request-ID` or made up,
and sent back in that header), one log line per request, and the request metrics."""

from __future__ import annotations

import logging
import re
import time
import uuid

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hub.logs import RequestFacts, current_request
from hub.server.metrics import HubMetrics
from hub.server.operations import operation_label

log = logging.getLogger("hub.requests")

HEADER = "x-request-id"
_PROBES = frozenset({"/healthz", "/readyz", "/metrics"})
_SANE_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
# Paths are labelled by the route they reach, never by their full text (tokens are in
# some, and anyone can make up more): the labels stay a fixed set.
_PATHS = frozenset(
    {
        "/graphql",
        "/slack/events",
        "/healthz",
        "/readyz",
        "/metrics",
        "/widget.js",
        "/exports/responses.csv",
        "/privacy/request",
    }
)
_PREFIXES = ("/s/", "/o/", "/exports/", "/privacy/verify/", "/graphiql/")
# Statuses the hub answers with; any other is counted by its class (http_4xx, http_5xx).
_STATUSES = frozenset({400, 401, 403, 404, 405, 409, 410, 413, 415, 422, 429, 500, 503, 504})


def path_label(path: str) -> str:
    if path in _PATHS:
        return path
    for prefix in _PREFIXES:
        if path.startswith(prefix):
            return prefix + "…"
    return "other"


def outcome_label(status: int, graphql_outcome: str | None) -> str:
    """`ok`, the GraphQL outcome (`error:<CODE>`, from a fixed set), or `http_<status>`."""
    if status < 400:
        return graphql_outcome or "ok"
    return f"http_{status}" if status in _STATUSES else f"http_{status // 100}xx"


class RequestTelemetry:
    """ASGI middleware, outermost: every request is timed, logged and counted once."""

    def __init__(self, app: ASGIApp, metrics: HubMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        incoming = _header(scope, HEADER.encode())
        request_id = incoming if incoming and _SANE_ID.fullmatch(incoming) else uuid.uuid4().hex
        facts = RequestFacts(request_id=request_id)
        token = current_request.set(facts)
        status = 500
        started = time.monotonic()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                MutableHeaders(scope=message)[HEADER] = request_id
            elif message["type"] == "websocket.accept":
                status = 101
            elif message["type"] == "websocket.close" and status == 500:
                status = 403  # closed before it was accepted
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.monotonic() - started
            path = str(scope.get("path", ""))
            if facts.operation is not None:
                operation = operation_label(facts.operation)
            else:
                operation = path_label(path)
            outcome = outcome_label(status, facts.outcome)
            if path != "/metrics":
                self.metrics.observe_request(operation, outcome, seconds)
            # Probes and scrapes come every few seconds: their lines only at DEBUG.
            quiet = path in _PROBES and status < 400
            log.log(
                logging.DEBUG if quiet else logging.INFO,
                "%s %s %s %.1f ms",
                scope.get("method", "WS"),
                path_label(path) if path != "/graphql" else path,
                status,
                seconds * 1000,
                extra={
                    "status": status,
                    "duration_ms": round(seconds * 1000, 1),
                    "outcome": outcome,
                },
            )
            current_request.reset(token)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None
