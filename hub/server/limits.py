"""Request-size and rate limits on the public endpoints, per client address and per
token, so a flood gets 429 and the hub stays responsive for everyone else.

Counters live in the process (the `limits` library's memory storage): with several
hub processes behind a load balancer, each enforces the limits on what it receives.
"""

from __future__ import annotations

import hashlib
import json
import math
import time

from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import MovingWindowRateLimiter
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hub.settings import Settings


def _error(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    body = json.dumps(
        {"data": None, "errors": [{"message": message, "extensions": {"code": code}}]}
    )
    raw_headers = [(b"content-type", b"application/json")]
    raw_headers += [(k.encode(), v.encode()) for k, v in (headers or {}).items()]
    return status, raw_headers, body.encode()


class RequestLimits:
    """ASGI middleware guarding the paths in `HUB_LIMITED_PATHS`."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.paths = tuple(settings.limited_paths)
        self.max_body = settings.max_body_bytes
        self.per_address: RateLimitItem | None = (
            parse(settings.rate_limit_per_address) if settings.rate_limit_per_address else None
        )
        self.per_token: RateLimitItem | None = (
            parse(settings.rate_limit_per_token) if settings.rate_limit_per_token else None
        )
        self.limiter = MovingWindowRateLimiter(MemoryStorage())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.paths):
            await self.app(scope, receive, send)
            return
        refusal = await self._rate_limited(scope)
        if refusal is not None:
            await self._send(send, *refusal)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_body:
            await self._send(send, *self._too_large())
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                await self._send(send, *self._too_large())
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _rate_limited(
        self, scope: Scope
    ) -> tuple[int, list[tuple[bytes, bytes]], bytes] | None:
        checks: list[tuple[RateLimitItem, str, str]] = []
        client = scope.get("client")
        if self.per_address is not None and client:
            checks.append((self.per_address, "address", str(client[0])))
        token = _bearer(scope)
        if self.per_token is not None and token:
            # Keyed by a hash: the token itself is not kept, even in memory.
            checks.append((self.per_token, "token", hashlib.sha256(token.encode()).hexdigest()))
        for item, kind, identifier in checks:
            if not await self.limiter.hit(item, kind, identifier):
                stats = await self.limiter.get_window_stats(item, kind, identifier)
                wait = max(1, math.ceil(stats.reset_time - time.time()))
                return _error(
                    429,
                    "RATE_LIMITED",
                    f"Too many requests from this {kind}; retry in {wait} s.",
                    {"retry-after": str(wait)},
                )
        return None

    def _too_large(self) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        return _error(
            413, "PAYLOAD_TOO_LARGE", f"The request body is larger than {self.max_body} bytes."
        )

    @staticmethod
    async def _send(
        send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes
    ) -> None:
        headers = [*headers, (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


def _content_length(scope: Scope) -> int | None:
    value = _header(scope, b"content-length")
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _bearer(scope: Scope) -> str | None:
    value = _header(scope, b"authorization") or ""
    scheme, _, token = value.partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None
