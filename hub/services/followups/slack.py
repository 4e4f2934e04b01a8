"""Slack bookkeeping that the bot needs from the database: the users.info cache and
the requests already handled (Slack retries what it thinks timed out)."""

from __future__ import annotations

from datetime import timedelta

from pymongo.errors import DuplicateKeyError

from hub.clock import Clock
from hub.models.followup import Actor
from hub.models.slack import SlackRequestSeen, SlackUser
from hub.services.followups.stores import slack_users


class SlackBookkeeping:
    def __init__(self, clock: Clock, user_cache: timedelta) -> None:
        self.clock = clock
        self.user_cache = user_cache

    async def first_time(self, key: str) -> bool:
        """Record that a request was handled; False when it already was."""
        try:
            await SlackRequestSeen(key=key, seen_at=self.clock.now()).insert()
        except DuplicateKeyError:
            return False
        return True

    async def cached_user(self, slack_id: str) -> SlackUser | None:
        """The user as last seen, unless that is older than the cache time."""
        user = await SlackUser.find_one(SlackUser.slack_id == slack_id)
        if user is None or user.fetched_at < self.clock.now() - self.user_cache:
            return None
        return user

    async def actor_of(self, slack_id: str) -> Actor:
        """A Slack user as an actor, named as last seen (however long ago), or by
        their id when the bot has not met them yet."""
        user = await SlackUser.find_one(SlackUser.slack_id == slack_id)
        return Actor(id=f"slack:{slack_id}", name=user.display_name if user else slack_id)

    async def remember_user(self, slack_id: str, display_name: str, is_admin: bool) -> SlackUser:
        now = self.clock.now()
        await slack_users.remember(slack_id, display_name, is_admin, now)
        return SlackUser(
            slack_id=slack_id, display_name=display_name, is_admin=is_admin, fetched_at=now
        )
