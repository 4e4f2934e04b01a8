"""The `/feedback` slash command: unclaimed, mine, stats."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bots.slack import blocks
from bots.slack.calls import CALL_ERRORS, failure, guarded
from bots.slack.users import SlackUsers
from hub.errors import DomainError
from hub.models.followup import FollowUp, FollowUpStatus
from hub.services import Services
from hub.services.analytics.criteria import AnalyticsFilter
from hub.services.followups.followups import summarise
from hub.services.platform import validation

log = logging.getLogger(__name__)

LIST_LIMIT = 20
STATS_DAYS = 30


class Permalinks:
    """Links to messages, from the workspace address auth.test gives (asked once)."""

    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client
        self.workspace_url: str | None = None

    async def link(self, follow_up: FollowUp) -> str | None:
        if not follow_up.posts:
            return None
        if self.workspace_url is None:
            try:
                self.workspace_url = str((await self.client.auth_test()).get("url") or "")
            except CALL_ERRORS:
                return None
        post = follow_up.posts[0]
        base = self.workspace_url.rstrip("/")
        return f"{base}/archives/{post.channel_id}/p{post.ts.replace('.', '')}"


def register(app: AsyncApp, services: Services, users: SlackUsers) -> None:
    follow_ups = services.follow_ups
    permalinks = Permalinks(users.client)

    async def listing(title: str, found: list[FollowUp], empty: str) -> str:
        if not found:
            return empty
        lines = [f"*{title}*"]
        for follow_up in found:
            lines.append("• " + blocks.follow_up_line(follow_up, await permalinks.link(follow_up)))
        return "\n".join(lines)

    async def answer(command: dict[str, Any]) -> str:
        raw = str(command.get("text") or "")
        try:
            validation.well_formed_text(raw, "The command")
        except DomainError as error:
            return error.message
        words = raw.split()
        subcommand = words[0].lower() if words else ""
        if subcommand == "unclaimed":
            found = await follow_ups.list_follow_ups(FollowUpStatus.OPEN, limit=LIST_LIMIT)
            return await listing(
                "Unclaimed follow-ups, oldest first", found, "No unclaimed follow-ups."
            )
        if subcommand == "mine":
            actor, _ = await users.actor(str(command["user_id"]), command.get("user_name"))
            found = await follow_ups.list_follow_ups(
                FollowUpStatus.CLAIMED, claimed_by=actor.id, limit=LIST_LIMIT
            )
            return await listing(
                "Your claimed follow-ups", found, "You have no claimed follow-ups."
            )
        if subcommand == "stats" and len(words) <= 2:
            survey_key = words[1] if len(words) == 2 else None
            try:
                if survey_key is not None:
                    validation.survey_key(survey_key, "survey")
                since = services.clock.now() - timedelta(days=STATS_DAYS)
                keys = [survey_key] if survey_key is not None else None
                # The dashboards' figures: the same rollups, the same exclusions.
                distribution = await services.analytics.score_distribution(
                    AnalyticsFilter(survey_keys=keys, date_from=since)
                )
                return blocks.summary_text(survey_key, summarise(distribution))
            except DomainError as error:
                return error.message
        return blocks.HELP_TEXT

    @app.command("/feedback")
    @guarded
    async def feedback(ack: AsyncAck, command: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        text = await answer(command)
        try:
            await respond(text=text, response_type="ephemeral")
        except CALL_ERRORS as error:  # the answer is lost with Slack away: nothing to retry
            log.warning("could not answer /feedback: %s", failure(error))
