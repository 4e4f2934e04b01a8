"""Delivers reminders and escalations from the outbox (queued by
`hub.services.followups.reminders`): a reply in the follow-up's thread mentioning the
on-call group or the claimer, and for detractors a message in the escalation channel.

Each message carries its outbox key in its metadata; after an unclear failure the
next attempt looks for it before posting again, so nothing is said twice."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bots.slack import blocks
from bots.slack.calls import CALL_ERRORS
from bots.slack.commands import Permalinks
from bots.slack.dispatcher import failure
from hub.errors import NotFound
from hub.models.followup import FollowUp
from hub.models.outbox import OutboxMessage
from hub.services import Services
from hub.services.followups.reminders import ESCALATE, REMIND, UNCLAIMED, stage_of
from hub.services.platform.outbox import Delivered, GiveUp, Handler, Outcome

log = logging.getLogger(__name__)

METADATA_TYPE = "feedback_reminder"


def waited(minutes: int) -> str:
    return blocks.age(timedelta(minutes=minutes))


def reminder_text(follow_up: FollowUp, stage: str, minutes: int, group: str | None) -> str:
    if stage == UNCLAIMED:
        mention = f"<!subteam^{group}> " if group else ""
        return (
            f"{mention}:alarm_clock: Nobody has claimed this follow-up for more than "
            f"{waited(minutes)}. Who takes it?"
        )
    claimer = blocks.who(follow_up.claimed_by) if follow_up.claimed_by else "The claimer"
    return (
        f"{claimer} :alarm_clock: This follow-up has been claimed for more than "
        f"{waited(minutes)} and is not resolved yet."
    )


def escalation_text(follow_up: FollowUp, stage: str, minutes: int, link: str | None) -> str:
    waiting = "unclaimed" if stage == UNCLAIMED else "claimed but unresolved"
    where = f" in <{link}|its thread>" if link else ""
    return (
        f":rotating_light: Escalated: *{blocks.headline(follow_up)}* on survey "
        f"`{blocks.escape(follow_up.survey_key)}` has been {waiting} for more than "
        f"{waited(minutes)}{where}."
    )


class SlackReminders:
    """The outbox handlers of reminders and escalations."""

    def __init__(self, services: Services, client: AsyncWebClient) -> None:
        self.services = services
        self.client = client
        self.permalinks = Permalinks(client)

    def handlers(self) -> list[tuple[str, Handler]]:
        """The outbox kinds this delivers, for `SlackDelivery.register`."""
        return [(REMIND, self.remind), (ESCALATE, self.escalate)]

    async def _current(self, message: OutboxMessage) -> FollowUp | Outcome:
        """The follow-up, or what to settle with when there is nothing to say any more:
        it is gone, redacted, or has moved on (claimed, resolved, claimed anew)."""
        try:
            follow_up = await self.services.follow_ups.get(str(message.payload["follow_up_id"]))
        except NotFound:
            return GiveUp("follow_up_gone")
        if follow_up.redacted:
            return Delivered({"skipped": "redacted"})
        if stage_of(follow_up) != message.payload["stage"]:
            return Delivered({"skipped": "moved_on"})
        return follow_up

    async def _already_said(self, message: OutboxMessage, thread_ts: str | None) -> str | None:
        """The ts of the message an earlier, unclear attempt posted, if it did."""
        if thread_ts is not None:
            found = await self.client.conversations_replies(
                channel=message.channel, ts=thread_ts, include_all_metadata=True, limit=200
            )
        else:
            since = message.created_at - timedelta(minutes=1)
            found = await self.client.conversations_history(
                channel=message.channel,
                oldest=f"{since.timestamp():.6f}",
                include_all_metadata=True,
                limit=200,
            )
        entries: list[dict[str, Any]] = found.get("messages") or []
        for entry in entries:
            metadata = entry.get("metadata") or {}
            payload = metadata.get("event_payload") or {}
            if (
                metadata.get("event_type") == METADATA_TYPE
                and payload.get("outbox_key") == message.key
            ):
                return str(entry["ts"])
        return None

    async def _say(self, message: OutboxMessage, text: str, thread_ts: str | None) -> Outcome:
        try:
            if message.attempts > 1:
                found = await self._already_said(message, thread_ts)
                if found is not None:
                    return Delivered({"channel": message.channel, "ts": found, "found": True})
            result = await self.client.chat_postMessage(
                channel=message.channel,
                thread_ts=thread_ts,
                text=text,
                metadata={
                    "event_type": METADATA_TYPE,
                    "event_payload": {"outbox_key": message.key},
                },
                unfurl_links=False,
            )
        except CALL_ERRORS as error:
            return failure(error)
        return Delivered({"channel": message.channel, "ts": str(result["ts"])})

    async def _on_call_group(self, group: str | None) -> str | None:
        """The group when it exists and is enabled; a reminder without a mention
        beats one that pings nobody."""
        if group is None:
            return None
        answer = await self.client.usergroups_list(include_disabled=False)
        groups: list[dict[str, Any]] = answer.get("usergroups") or []
        if any(found.get("id") == group for found in groups):
            return group
        log.warning("the on-call user group of a routing rule was not found in Slack")
        return None

    async def remind(self, message: OutboxMessage) -> Outcome:
        current = await self._current(message)
        if not isinstance(current, FollowUp):
            return current
        payload = message.payload
        try:
            group = await self._on_call_group(payload.get("on_call_group_id"))
        except CALL_ERRORS as error:
            return failure(error)
        text = reminder_text(current, str(payload["stage"]), int(payload["after_minutes"]), group)
        return await self._say(message, text, str(payload["thread_ts"]))

    async def escalate(self, message: OutboxMessage) -> Outcome:
        current = await self._current(message)
        if not isinstance(current, FollowUp):
            return current
        payload = message.payload
        link = await self.permalinks.link(current, str(payload["thread_channel"]))
        text = escalation_text(current, str(payload["stage"]), int(payload["after_minutes"]), link)
        # Into the thread of the follow-up's own message there, when it has one.
        there = [post.ts for post in current.posts if post.channel_id == message.channel]
        return await self._say(message, text, there[0] if there else None)
