"""Exports of ACCESS and PORTABILITY requests waiting for their delivery."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pymongo
from beanie import Document
from pymongo import IndexModel

from hub.models.privacy import RightsRequestType


class PrivacyExport(Document):
    """One executed request's export: kept until every format was downloaded once or
    until `expires_at`, whichever comes first (a TTL index removes expired ones)."""

    request_id: str
    kind: RightsRequestType
    data: dict[str, Any]
    formats: list[str]  # the formats not delivered yet
    subject_hmacs: list[str] = []  # keyed hashes of the person the export is about
    created_at: datetime
    expires_at: datetime

    class Settings:
        name = "privacy_exports"
        indexes = [
            IndexModel([("request_id", pymongo.ASCENDING)], unique=True, name="request_unique"),
            IndexModel([("expires_at", pymongo.ASCENDING)], expireAfterSeconds=0, name="expiry"),
            IndexModel([("subject_hmacs", pymongo.ASCENDING)]),
        ]
