"""Survey links: one signed URL per person and survey, answered at most once."""

from __future__ import annotations

from datetime import datetime

import pymongo
from beanie import Document, PydanticObjectId
from pymongo import IndexModel

from hub.models.common import Channel, UserIdentity

LINK_RETENTION_AFTER_EXPIRY_SECONDS = 30 * 24 * 3600


class SurveyLink(Document):
    """What a signed link stands for. The token carries only the link's id and
    expiry; this document holds the survey and the person, and makes the link single
    use: it gets one display, and through it at most one response or decline."""

    survey_key: str
    user: UserIdentity
    locale: str | None = None
    channel: Channel  # LINK for shared links, EMAIL for invitations
    created_at: datetime
    expires_at: datetime
    display_id: PydanticObjectId | None = None
    response_id: PydanticObjectId | None = None
    declined_at: datetime | None = None
    finished_at: datetime | None = None  # commented, or skipped the follow-up

    class Settings:
        name = "survey_links"
        indexes = [
            IndexModel([("user.id", pymongo.ASCENDING), ("survey_key", pymongo.ASCENDING)]),
            # Past its expiry (and a grace period) a link is of no use and holds
            # personal data: the database deletes it. Opt-out links do not need it.
            IndexModel(
                [("expires_at", pymongo.ASCENDING)],
                expireAfterSeconds=LINK_RETENTION_AFTER_EXPIRY_SECONDS,
                name="expires_ttl",
            ),
        ]
