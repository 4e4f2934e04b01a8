"""The App Home: on `app_home_opened` the bot publishes the user's Home tab (their
claimed follow-ups, the open ones in the channels they are in, their team's figures),
and publishes it again after a button on it was used, so it shows the new state.

Which channels the user is in is asked of Slack (`conversations.members`) for each
channel that holds follow-up messages, each time the tab is opened: the hub keeps no
copy of channel membership, so it is never stale."""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bots.slack import blocks
from bots.slack.calls import CALL_ERRORS, failure, guarded
from bots.slack.dispatcher import masked_rows
from bots.slack.users import SlackUsers
from hub.models.followup import FollowUp
from hub.models.response import Response
from hub.services import Services
from hub.services.followups.workload import Overview

log = logging.getLogger(__name__)

Listener = Callable[..., Awaitable[None]]
MEMBERS_PAGE = 200


def from_home(body: dict[str, Any]) -> bool:
    """Whether a click, or the submission of a form it opened, came from a Home tab
    (forms opened there carry no channel)."""
    if body.get("type") == "block_actions":
        return (body.get("view") or {}).get("type") == "home"
    if body.get("type") == "view_submission":
        try:
            metadata = json.loads((body.get("view") or {}).get("private_metadata") or "{}")
        except ValueError:
            return False
        return (
            isinstance(metadata, dict) and "channel_id" in metadata and not metadata["channel_id"]
        )
    return False


class HomeTabs:
    def __init__(self, services: Services, client: AsyncWebClient) -> None:
        self.services = services
        self.client = client

    async def _is_member(self, channel_id: str, user_id: str) -> bool:
        cursor: str | None = None
        while True:
            page = await self.client.conversations_members(
                channel=channel_id, limit=MEMBERS_PAGE, cursor=cursor
            )
            if user_id in (page.get("members") or []):
                return True
            cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                return False

    async def channels_of(self, user_id: str) -> list[str]:
        """The channels holding follow-up messages that the user is in; a channel
        Slack will not answer for (the bot left it) counts as not theirs."""
        found = []
        for channel_id in await self.services.workload.channels():
            try:
                if await self._is_member(channel_id, user_id):
                    found.append(channel_id)
            except CALL_ERRORS as error:
                log.warning("conversations.members failed: %s", failure(error))
        return found

    async def publish(self, user_id: str) -> None:
        overview = await self.services.workload.overview(
            f"slack:{user_id}", await self.channels_of(user_id), blocks.HOME_SHOWN
        )
        view = await self._view(overview)
        try:
            await self.client.views_publish(user_id=user_id, view=view)
        except CALL_ERRORS as error:
            log.warning("views.publish failed: %s", failure(error))

    async def _view(self, overview: Overview) -> blocks.Block:
        def rows(found: list[FollowUp]) -> list[tuple[FollowUp, Response | None]]:
            return [(f, overview.responses.get(f.response_id)) for f in found]

        # Comments shown as in the channels: other people's identifiers masked.
        shown = await masked_rows(rows([*overview.claimed, *overview.open]))
        claimed, open_ones = shown[: len(overview.claimed)], shown[len(overview.claimed) :]
        return blocks.home_view(
            claimed,
            overview.claimed_more,
            open_ones,
            overview.open_more,
            overview.team_survey_keys,
            overview.figures,
            overview.now,
        )

    def refreshed(self, listener: Listener) -> Listener:
        """`listener`, then the Home tab published again when it was used from there.
        Bolt reads the wrapped listener's arguments, which must include `body`."""

        @functools.wraps(listener)
        async def run(**kwargs: Any) -> None:
            await listener(**kwargs)
            body = kwargs["body"]
            if from_home(body):
                await self.publish(str(body["user"]["id"]))

        return run


def register(app: AsyncApp, services: Services, users: SlackUsers) -> None:
    home = HomeTabs(services, users.client)

    @app.event("app_home_opened")
    @guarded
    async def opened(event: dict[str, Any]) -> None:
        if event.get("tab", "home") == "home" and event.get("user"):
            await home.publish(str(event["user"]))
