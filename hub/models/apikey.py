from __future__ import annotations

from datetime import datetime

import pymongo
from beanie import Document
from pymongo import IndexModel

from hub.models.common import Role


class ApiKey(Document):
    """A bearer token. Only the SHA-256 of the token is stored; it is shown once."""

    token_hash: str
    prefix: str
    role: Role
    label: str
    survey_keys: list[str] = []
    created_at: datetime
    revoked_at: datetime | None = None

    class Settings:
        name = "api_keys"
        indexes = [
            IndexModel([("token_hash", pymongo.ASCENDING)], unique=True, name="token_hash_unique"),
        ]
