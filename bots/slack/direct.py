"""Private answers: ephemeral where the person clicked, and a direct message through
the outbox when Slack cannot show it there (`hub.services.followups.direct`)."""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bots.slack import blocks
from bots.slack.calls import CALL_ERRORS
from bots.slack.dispatcher import failure
from hub.errors import NotFound
from hub.models.followup import FollowUp
from hub.models.outbox import OutboxMessage
from hub.services import Services
from hub.services.followups.direct import DIRECT
from hub.services.platform.outbox import Delivered, Handler, Outcome

log = logging.getLogger(__name__)

CLAIMED = "You have claimed this follow-up."


async def claim_notice(services: Services, follow_up: FollowUp, user_id: str) -> str:
    """The claimer's confirmation, with the customer's contact details while the
    follow-up is theirs and the person's data may be shown."""
    follow_ups = services.follow_ups
    response = await follow_ups.response_of(follow_up)
    contact = follow_ups.contact_for(follow_up, response, f"slack:{user_id}")
    details = [value for value in (contact.username, contact.email) if value] if contact else []
    if not details:
        return CLAIMED
    return f"{CLAIMED} Customer contact: " + ", ".join(blocks.escape(d) for d in details)


def answer_key(body: dict[str, Any]) -> str:
    """What names the interaction a private answer answers, the same on Slack's
    retries: its trigger id, or else the whole request."""
    trigger = body.get("trigger_id")
    if trigger:
        return f"trigger:{trigger}"
    return "body:" + hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


class PrivateAnswers:
    """Tells one person something only they may read."""

    def __init__(self, services: Services, client: AsyncWebClient) -> None:
        self.services = services
        self.direct = services.direct_messages
        self.client = client

    async def _ephemeral(self, channel_id: str | None, user_id: str, text: str) -> bool:
        if not channel_id:
            return False
        try:
            await self.client.chat_postEphemeral(channel=channel_id, user=user_id, text=text)
        except CALL_ERRORS as error:
            code = (
                error.response.get("error") if isinstance(error, SlackApiError) else None
            ) or type(error).__name__
            log.info("an ephemeral answer failed (%s); it goes as a direct message", code)
            return False
        return True

    async def tell(self, key: str, channel_id: str | None, user_id: str, text: str) -> None:
        """`text` (nobody's personal data) to `user_id`; `key` names the interaction
        answered, so a direct message goes once."""
        if not await self._ephemeral(channel_id, user_id, text):
            await self.direct.answer(key, user_id, text)

    async def tell_claimed(
        self, key: str, channel_id: str | None, user_id: str, follow_up: FollowUp
    ) -> None:
        """The claimer's confirmation with the customer's contact details."""
        text = await claim_notice(self.services, follow_up, user_id)
        if not await self._ephemeral(channel_id, user_id, text):
            await self.direct.claim_notice(key, user_id, follow_up)


class DirectDelivery:
    """The outbox handler of direct messages: conversations.open, then chat.postMessage."""

    def __init__(self, services: Services, client: AsyncWebClient) -> None:
        self.services = services
        self.client = client

    def handler(self) -> tuple[str, Handler]:
        return DIRECT, self.deliver

    async def _text(self, message: OutboxMessage) -> str | None:
        payload = message.payload
        if "claimed" not in payload:
            return str(payload["text"])
        try:
            follow_up = await self.services.follow_ups.get(str(payload["claimed"]))
        except NotFound:
            return None
        return await claim_notice(self.services, follow_up, str(payload["user"]))

    async def deliver(self, message: OutboxMessage) -> Outcome:
        text = await self._text(message)
        if text is None:
            return Delivered({"skipped": "follow_up_gone"})
        try:
            opened = await self.client.conversations_open(users=str(message.payload["user"]))
            channel = str((opened.get("channel") or {})["id"])
            result = await self.client.chat_postMessage(channel=channel, text=text)
        except CALL_ERRORS as error:
            return failure(error)
        return Delivered({"channel": channel, "ts": str(result["ts"])})
