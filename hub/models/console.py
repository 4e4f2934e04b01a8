"""Who may sign in to the console, and the sessions of those who did."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import pymongo
from beanie import Document
from pymongo import IndexModel

from hub.models.common import Role


class ConsoleMember(Document):
    """A Slack user (`U…`/`W…`) or user group (`S…`) an admin let into the console,
    with the role they get there."""

    slack_id: str
    role: Role
    added_at: datetime
    added_by: str  # the admin's actor id

    class Settings:
        name = "console_members"
        indexes = [IndexModel([("slack_id", pymongo.ASCENDING)], unique=True, name="slack_id")]


class ConsoleSession(Document):
    """A signed-in person. The cookie holds a random token; only its SHA-256 is here.
    The database deletes the session once `expires_at` passes (idle or absolute end)."""

    token_hash: str
    kind: Literal["slack", "key"]
    subject: str  # the Slack user id, or the API key's id
    name: str  # shown in the console and recorded in the audit log
    role: Role
    csrf_token: str
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime

    class Settings:
        name = "console_sessions"
        indexes = [
            IndexModel([("token_hash", pymongo.ASCENDING)], unique=True, name="token_hash"),
            IndexModel([("expires_at", pymongo.ASCENDING)], expireAfterSeconds=0, name="expiry"),
        ]
