"""The Bolt app behind `POST /slack/events`: the door (`bots.slack.inbound`) checks
size and signature before anything is parsed, Slack's retries are answered without
doing the work again, listeners are acked at once and their work runs after the ack.

A signed request is answered without calling Slack's Web API first, so it is
acknowledged even while Slack cannot be reached; what the listener then sends to Slack
goes through the outbox (retried) or falls back as the listener says."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.adapter.starlette.async_handler import to_starlette_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_sdk.web.async_client import AsyncWebClient
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bots.slack import actions, commands, events, held, home, inbound, replies, views
from bots.slack.direct import DirectDelivery
from bots.slack.dispatcher import SlackDelivery
from bots.slack.held import HeldRelease
from bots.slack.reminders import SlackReminders
from bots.slack.users import SlackUsers
from hub.services import Services
from hub.settings import Settings

log = logging.getLogger(__name__)


def web_client(settings: Settings, with_token: bool = True) -> AsyncWebClient:
    """The Web API client, pointed at SLACK_API_URL. Its own retries are off: the
    outbox retries, after checking whether an unclear attempt got through."""
    assert settings.slack_bot_token is not None
    base_url = settings.slack_api_url.rstrip("/") + "/"
    return AsyncWebClient(
        token=settings.slack_bot_token.get_secret_value() if with_token else None,
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


def single_workspace(token: str | None) -> Callable[..., Awaitable[AuthorizeResult]]:
    """Bolt's `authorize`: the bot token, for the one workspace the hub serves, without
    asking Slack. The bot's own user id, which auth.test would give, only serves to
    ignore the bot's own events, and the hub listens to none."""

    async def authorize(
        enterprise_id: str | None, team_id: str | None, user_id: str | None
    ) -> AuthorizeResult:
        return AuthorizeResult(
            enterprise_id=enterprise_id, team_id=team_id, user_id=user_id, bot_token=token
        )

    return authorize


class SlackBot:
    """The Bolt app with its listeners, and the outbox handlers that post to Slack."""

    def __init__(self, settings: Settings, services: Services) -> None:
        self.client = web_client(settings)
        self.services = services
        self.users = SlackUsers(services.slack, self.client)
        self.delivery = SlackDelivery(services, self.client)
        self.reminders = SlackReminders(services, self.client)
        self.held = HeldRelease(services, self.client)
        self.direct = DirectDelivery(services, self.client)
        self.max_body = settings.slack_max_body_bytes
        self.signing_secret: str | None = None
        self.app: AsyncApp | None = None
        if settings.slack_signing_secret is not None:
            self.signing_secret = settings.slack_signing_secret.get_secret_value()
            self.app = AsyncApp(
                # No token here: given one, Bolt calls auth.test before the first request
                # and answers 500 while Slack cannot be reached; `single_workspace` hands
                # each request's client the token without asking Slack.
                client=web_client(settings, with_token=False),
                authorize=single_workspace(self.client.token),
                signing_secret=self.signing_secret,
                # The door verified the request and answered Slack's URL check before
                # Bolt saw it: one place for both.
                request_verification_enabled=False,
                url_verification_enabled=False,
                # Ack first, then run the listener's slow part: Slack waits 3 s at most.
                process_before_response=False,
            )
            actions.register(self.app, services, self.users)
            views.register(self.app, services, self.users)
            commands.register(self.app, services, self.users)
            held.register(self.app, services, self.client)
            events.register(self.app, services, self.users)
            replies.register(self.app, services, self.users)
            home.register(self.app, services, self.users)

    def start(self) -> None:
        """Deliver the Slack kinds of the outbox (held like every post when Slack refuses
        them for a fixable cause), and check a refused token periodically."""
        self.delivery.register(
            self.direct.handler(), self.held.handler(), *self.reminders.handlers()
        )
        self.held.schedule()

    async def endpoint(self, request: Request) -> Response:
        """Refuse what is too large (413), unsigned or stale (401) or malformed (400);
        answer Slack's URL check; acknowledge a repeat of a request already handled
        (a retry, X-Slack-Retry-Num) without handling it again; hand the rest to Bolt."""
        assert self.app is not None and self.signing_secret is not None
        try:
            body = await inbound.read_bounded(request, self.max_body)
            inbound.verify(self.signing_secret, request.headers, body)
            bolt_request = inbound.parse(body, request)
        except inbound.Refused as refused:
            log.warning("refused a Slack request: %s", refused.reason)
            return JSONResponse({"error": refused.reason}, status_code=refused.status)
        if bolt_request.body.get("type") == "url_verification":
            return JSONResponse({"challenge": str(bolt_request.body.get("challenge") or "")})
        key = request_key(bolt_request.body, bolt_request.raw_body)
        if not await self.services.slack.first_time(key):
            kind = "retry" if request.headers.get("x-slack-retry-num") else "replay"
            log.info("acknowledged a repeated Slack request (%s)", kind)
            return Response(status_code=200)
        return to_starlette_response(await self.app.async_dispatch(bolt_request))
