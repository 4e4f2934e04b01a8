"""The door of `POST /slack/events`: a request is read up to a size limit, its
signature and age are checked over the raw bytes, and only then is its body parsed.

Bolt parses a body as it builds its request, before it checks the signature, so an
unsigned `payload=not-json` used to end in a 500; here nothing unsigned is parsed, and
what is signed but malformed gets a 400. The age is checked against the wall clock,
as Slack stamps requests with its own."""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from typing import Any

from slack_bolt.async_app import AsyncBoltRequest
from starlette.requests import Request

log = logging.getLogger(__name__)

MAX_AGE_SECONDS = 5 * 60  # Slack's own advice: older requests may be replays
_TIMESTAMP_DIGITS = 12


class Refused(Exception):
    """A request that goes no further; `reason` is safe to log and to answer."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


async def read_bounded(request: Request, limit: int) -> bytes:
    """The body, or Refused(413) as soon as it is known to pass `limit` bytes: from
    Content-Length before reading, else while reading, never reading on past it."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise Refused(400, "bad_content_length")
        if int(declared) > limit:
            raise Refused(413, "body_too_large")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise Refused(413, "body_too_large")
        chunks.append(chunk)
    return b"".join(chunks)


def verify(secret: str, headers: Any, body: bytes, now: float | None = None) -> None:
    """Slack's v0 signature over `v0:{timestamp}:{body}` and a timestamp at most five
    minutes off; Refused(401) otherwise."""
    timestamp = headers.get("x-slack-request-timestamp") or ""
    signature = headers.get("x-slack-signature") or ""
    if not (timestamp.isdigit() and len(timestamp) <= _TIMESTAMP_DIGITS) or not signature:
        raise Refused(401, "unsigned")
    moment = time.time() if now is None else now
    if abs(moment - int(timestamp)) > MAX_AGE_SECONDS:
        raise Refused(401, "stale")
    signed = b"v0:" + timestamp.encode() + b":" + body
    expected = "v0=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace")):
        raise Refused(401, "bad_signature")


def parse(body: bytes, request: Request) -> AsyncBoltRequest:
    """The Bolt request of a verified body; Refused(400) when it is not text, not
    JSON where JSON is due, or not an object."""
    try:
        text = body.decode("utf-8")
        parsed = AsyncBoltRequest(
            body=text,
            query=str(request.url.query),
            headers=dict(request.headers),
        )
    except (ValueError, TypeError, AttributeError, KeyError) as error:
        # Parsing only: json and the form decoder raise ValueError, and a document of
        # the wrong shape trips Bolt's readers of the fields it expects.
        raise Refused(400, "malformed_body") from error
    if not isinstance(parsed.body, dict):
        raise Refused(400, "malformed_body")
    return parsed
