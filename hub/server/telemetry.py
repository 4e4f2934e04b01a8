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

log = logging.getLogger("hub.requests")

HEADER = "x-request-id"
_PROBES = frozenset({"/healthz", "/readyz", "/metrics"})
_SANE_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
# Paths other than /graphql are labelled by what they are, not by their full text.
_PATHS = ("/graphql", "/slack/events", "/healthz", "/readyz", "/metrics", "/widget.js")


def path_label(path: str) -> str:
    for known in _PATHS:
        if path == known:
            return known
    return "/" + path.strip("/").split("/", 1)[0] + "/…" if path.count("/") > 1 else "other"


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
            operation = facts.operation or path_label(path)
            if facts.outcome is not None and status < 400:
                outcome = facts.outcome
            else:
                outcome = "ok" if status < 400 else f"http_{status}"
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
