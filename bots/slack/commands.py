"""The `/feedback` slash command: unclaimed, mine, stats."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bots.slack import blocks
from bots.slack.calls import CALL_ERRORS, failure, guarded
from bots.slack.users import SlackUsers
from hub.errors import DomainError
from hub.models.followup import FollowUp, FollowUpStatus, PostKind
from hub.services import Services
from hub.services.analytics.criteria import AnalyticsFilter
from hub.services.followups import routing
from hub.services.followups.followups import WorklistFilter, summarise
from hub.services.platform import validation

log = logging.getLogger(__name__)

LIST_LIMIT = 20
_CHANNEL_MENTION = re.compile(r"<#([A-Z0-9]+)(?:\|[^>]*)?>")
STATS_DAYS = 30


class Permalinks:
    """Links to messages, from the workspace address auth.test gives (asked once)."""

    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client
        self.workspace_url: str | None = None

    async def link(self, follow_up: FollowUp, channel_id: str | None = None) -> str | None:
        """The message in `channel_id` when given, else the routed one, else any."""
        posts = [p for p in follow_up.posts if channel_id in (None, p.channel_id)]
        posts.sort(key=lambda post: post.kind is not PostKind.ROUTED)
        if not posts:
            return None
        if self.workspace_url is None:
            try:
                self.workspace_url = str((await self.client.auth_test()).get("url") or "")
            except CALL_ERRORS:
                return None
        post = posts[0]
        base = self.workspace_url.rstrip("/")
        return f"{base}/archives/{post.channel_id}/p{post.ts.replace('.', '')}"


class BadFilter(ValueError):
    pass


def list_filter(words: list[str]) -> tuple[str | None, str | None]:
    """(survey key, channel id) from the words after `unclaimed` or `mine`: none, a
    survey key, or a channel (`<#C0123|name>` as Slack escapes it, or its id)."""
    if not words:
        return None, None
    if len(words) == 1:
        word = words[0]
        mention = _CHANNEL_MENTION.fullmatch(word)
        candidate = mention.group(1) if mention else word
        try:
            channel = routing.channel_id(candidate, "channel")
        except DomainError:
            channel = None
        if channel is not None:
            return None, channel
        try:
            return validation.survey_key(word, "survey"), None
        except DomainError:
            pass
    raise BadFilter(
        "Give one survey key (like `nps-main`) or one channel (`#support`) to narrow the list down."
    )


def scope_of(survey_key: str | None, channel_id: str | None) -> str:
    if survey_key is not None:
        return f" of survey `{blocks.escape(survey_key)}`"
    if channel_id is not None:
        return f" in <#{channel_id}>"
    return ""


@dataclass(frozen=True)
class ListWording:
    command: str
    title: str
    empty: str
    happened: str  # what the time on each line is: "opened" or "claimed"


UNCLAIMED = ListWording("unclaimed", "Unclaimed follow-ups", "No unclaimed follow-ups", "opened")
MINE = ListWording("mine", "Your claimed follow-ups", "You have no claimed follow-ups", "claimed")


def register(app: AsyncApp, services: Services, users: SlackUsers) -> None:
    follow_ups = services.follow_ups
    permalinks = Permalinks(users.client)

    async def listing(wanted: WorklistFilter, wording: ListWording) -> str:
        found = await follow_ups.worklist(wanted, LIST_LIMIT)
        scope = scope_of(wanted.survey_key, wanted.channel_id)
        if not found.shown:
            return f"{wording.empty}{scope}."
        now = services.clock.now()
        lines = [f"*{wording.title}{scope}: {found.total}*, those in Slack first, oldest first"]
        for follow_up in found.shown:
            link = await permalinks.link(follow_up, wanted.channel_id)
            moment = follow_up.created_at
            if wording is MINE and follow_up.claimed_at is not None:
                moment = follow_up.claimed_at
            line = blocks.follow_up_line(follow_up, link, wording.happened, moment, now)
            lines.append("• " + line)
        if found.more:
            lines.append(
                f"…and {found.more} more. Narrow it down: `/feedback {wording.command} "
                f"<survey-key>` or `/feedback {wording.command} #channel`."
            )
        return "\n".join(lines)

    async def answer(command: dict[str, Any]) -> str:
        raw = str(command.get("text") or "")
        try:
            validation.well_formed_text(raw, "The command")
        except DomainError as error:
            return error.message
        words = raw.split()
        subcommand = words[0].lower() if words else ""
        if subcommand in ("unclaimed", "mine"):
            try:
                survey_key, channel_id = list_filter(words[1:])
            except BadFilter as bad:
                return str(bad)
            if subcommand == "unclaimed":
                wanted = WorklistFilter(
                    FollowUpStatus.OPEN, survey_key=survey_key, channel_id=channel_id
                )
                return await listing(wanted, UNCLAIMED)
            actor, _ = await users.actor(str(command["user_id"]), command.get("user_name"))
            wanted = WorklistFilter(FollowUpStatus.CLAIMED, actor.id, survey_key, channel_id)
            return await listing(wanted, MINE)
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
