from __future__ import annotations

from datetime import datetime

import pymongo
from beanie import Document
from pymongo import IndexModel


class SlackUser(Document):
    """A Slack user by id, with the display name users.info gave (a cache)."""

    slack_id: str
    display_name: str
    is_admin: bool = False
    fetched_at: datetime

    class Settings:
        name = "slack_users"
        indexes = [IndexModel([("slack_id", pymongo.ASCENDING)], unique=True, name="id_unique")]


class SlackRequestSeen(Document):
    """An event or interaction already handled, so Slack's retries do nothing twice."""

    key: str
    seen_at: datetime

    class Settings:
        name = "slack_requests_seen"
        indexes = [
            IndexModel([("key", pymongo.ASCENDING)], unique=True, name="key_unique"),
            IndexModel([("seen_at", pymongo.ASCENDING)], expireAfterSeconds=86400),
        ]
