"""Slack users by id with their display name: users.info, cached in the database."""

from __future__ import annotations

import logging

from slack_sdk.web.async_client import AsyncWebClient

from bots.slack.calls import CALL_ERRORS, failure
from hub.models.followup import Actor
from hub.services.followups.slack import SlackBookkeeping

log = logging.getLogger(__name__)


class SlackUsers:
    def __init__(self, bookkeeping: SlackBookkeeping, client: AsyncWebClient) -> None:
        self.bookkeeping = bookkeeping
        self.client = client

    async def actor(self, user_id: str, fallback_name: str | None = None) -> tuple[Actor, bool]:
        """The user as an actor, and whether they are a workspace admin."""
        cached = await self.bookkeeping.cached_user(user_id)
        if cached is None:
            try:
                info = await self.client.users_info(user=user_id)
            except CALL_ERRORS as error:  # known by id until Slack answers again
                log.warning("users.info failed: %s", failure(error))
                return Actor(id=f"slack:{user_id}", name=fallback_name or user_id), False
            user = info.get("user") or {}
            profile = user.get("profile") or {}
            name = (
                profile.get("display_name")
                or profile.get("real_name")
                or user.get("real_name")
                or user.get("name")
                or fallback_name
                or user_id
            )
            is_admin = bool(user.get("is_admin") or user.get("is_owner"))
            cached = await self.bookkeeping.remember_user(user_id, str(name), is_admin)
        return Actor(id=f"slack:{user_id}", name=cached.display_name), cached.is_admin
