"""The Bolt app behind `POST /slack/events`: signature checked by Bolt, Slack's
retries dropped, listeners acked at once and their work run after the ack."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncApp, AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient
from starlette.requests import Request
from starlette.responses import Response

from bots.slack import actions, commands, events, views
from bots.slack.dispatcher import SlackDelivery
from bots.slack.users import SlackUsers
from hub.services import Services
from hub.settings import Settings

log = logging.getLogger(__name__)


def web_client(settings: Settings) -> AsyncWebClient:
    """The Web API client, pointed at SLACK_API_URL. Its own retries are off: the
    outbox retries, after checking whether an unclear attempt got through."""
    assert settings.slack_bot_token is not None
    base_url = settings.slack_api_url.rstrip("/") + "/"
    return AsyncWebClient(
        token=settings.slack_bot_token.get_secret_value(),
        base_url=base_url,
        timeout=10,
        retry_handlers=[],
    )


def request_key(body: dict[str, Any], raw_body: str) -> str:
    """What identifies one event or interaction across Slack's retries."""
    if body.get("event_id"):
        return f"event:{body['event_id']}"
    if body.get("trigger_id"):
        kind = body.get("type") or body.get("command") or "interaction"
        return f"{kind}:{body['trigger_id']}"
    return "body:" + hashlib.sha256(raw_body.encode()).hexdigest()


class SlackBot:
    """The Bolt app with its listeners, and the outbox handlers that post to Slack."""

    def __init__(self, settings: Settings, services: Services) -> None:
        self.client = web_client(settings)
        self.services = services
        self.users = SlackUsers(services.slack, self.client)
        self.delivery = SlackDelivery(services, self.client)
        self.app: AsyncApp | None = None
        self.handler: AsyncSlackRequestHandler | None = None
        if settings.slack_signing_secret is not None:
            self.app = AsyncApp(
                client=self.client,
                signing_secret=settings.slack_signing_secret.get_secret_value(),
                # Ack first, then run the listener's slow part: Slack waits 3 s at most.
                process_before_response=False,
            )
            self.app.middleware(self._once)
            actions.register(self.app, services, self.users)
            views.register(self.app, services, self.users)
            commands.register(self.app, services, self.users)
            events.register(self.app, services, self.users)
            self.handler = AsyncSlackRequestHandler(self.app)

    async def _once(
        self,
        req: AsyncBoltRequest,
        resp: BoltResponse,
        next: Callable[[], Awaitable[None]],
    ) -> BoltResponse:
        """Handle each event or interaction once: a retry (X-Slack-Retry-Num) or a
        replay of one already seen is acknowledged and dropped."""
        key = request_key(req.body, req.raw_body)
        if not await self.services.slack.first_time(key):
            retry = (req.headers.get("x-slack-retry-num") or ["-"])[0]
            log.info("dropped a repeated Slack request (retry %s)", retry)
            return BoltResponse(status=200, body="")
        await next()
        return resp

    async def endpoint(self, request: Request) -> Response:
        assert self.handler is not None
        return await self.handler.handle(request)
