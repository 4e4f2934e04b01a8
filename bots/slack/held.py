"""Held Slack deliveries go out by themselves once the cause is gone: the bot joins the
channel (`member_joined_channel`), or the token works again (a periodic `auth.test`
while anything is held for it). The ops channel's notices are delivered here too
(`hub.services.followups.held`)."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bots.slack.calls import CALL_ERRORS
from bots.slack.dispatcher import failure
from hub.models.outbox import OutboxMessage
from hub.services import Services
from hub.services.followups.held import NOTICE, notice_text
from hub.services.platform.outbox import Delivered, Handler, Outcome

log = logging.getLogger(__name__)

TOKEN_CHECK = "slack-token-check"  # noqa: S105 (a job's name)


def register(app: AsyncApp, services: Services, client: AsyncWebClient) -> None:
    holds = services.slack_holds
    bot = BotUser(client)

    @app.event("member_joined_channel")
    async def joined(event: dict[str, Any], body: dict[str, Any]) -> None:
        """Someone joined a channel; when it is the bot, what waited for it goes out."""
        user, channel = event.get("user"), event.get("channel")
        if not isinstance(channel, str) or not user or user != await bot.id_in(body):
            return
        await holds.bot_joined(channel)


class BotUser:
    """The bot's own user id: from the event's authorizations when Slack sends them,
    else asked once of auth.test (after the ack, so an unreachable Slack delays
    nothing; the token check releases what waits once Slack answers again)."""

    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client
        self.known: str | None = None

    async def id_in(self, body: dict[str, Any]) -> str | None:
        for authorization in body.get("authorizations") or []:
            if isinstance(authorization, dict) and authorization.get("is_bot"):
                return str(authorization.get("user_id") or "") or None
        if self.known is None:
            try:
                self.known = str((await self.client.auth_test()).get("user_id") or "") or None
            except CALL_ERRORS as error:
                code = error.response.get("error") if isinstance(error, SlackApiError) else None
                log.info("could not learn the bot's user id (%s)", code or type(error).__name__)
        return self.known


class HeldRelease:
    """The token check and the ops channel's notices."""

    def __init__(self, services: Services, client: AsyncWebClient) -> None:
        self.services = services
        self.client = client

    def schedule(self) -> None:
        period = timedelta(seconds=self.services.settings.slack_token_check_seconds)
        self.services.scheduler.every(TOKEN_CHECK, period, self.check_token)

    async def check_token(self) -> None:
        """While something is held because Slack refused the token, ask Slack whether
        it takes the token now; once it does, release what waited."""
        holds = self.services.slack_holds
        if not await holds.token_held():
            return
        try:
            await self.client.auth_test()
        except CALL_ERRORS as error:
            code = error.response.get("error") if isinstance(error, SlackApiError) else None
            log.info("the Slack token is still refused (%s)", code or type(error).__name__)
            return
        await holds.token_works()

    def handler(self) -> tuple[str, Handler]:
        return NOTICE, self.notify

    async def notify(self, message: OutboxMessage) -> Outcome:
        text = notice_text(str(message.payload["channel"]), str(message.payload["reason"]))
        try:
            result = await self.client.chat_postMessage(channel=message.channel, text=text)
        except CALL_ERRORS as error:
            return failure(error)
        return Delivered({"channel": message.channel, "ts": str(result["ts"])})
