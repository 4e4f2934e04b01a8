from __future__ import annotations

from datetime import datetime

import pymongo
from beanie import Document, PydanticObjectId
from pymongo import IndexModel

from hub.models.common import Channel, Customer, Metric, UserIdentity
from hub.models.theme import ThemeTag


class Response(Document):
    """A score, and later perhaps a comment, given to one display of a survey."""

    survey_key: str
    metric: Metric
    display_id: PydanticObjectId
    score: int
    comment: str | None = None
    commented_at: datetime | None = None
    product: str
    customer: Customer
    user: UserIdentity
    url: str | None = None
    channel: Channel
    locale: str
    answered_at: datetime
    analytics_excluded: bool = False  # the person's request took it out of analytics
    # The themes the comment matched (hub.services.themes), written by the tagger off
    # the request path; `themes_pending` is set with the comment and unset once tagged.
    themes: list[ThemeTag] = []
    themes_pending: bool | None = None

    class Settings:
        name = "responses"
        indexes = [
            IndexModel([("display_id", pymongo.ASCENDING)], unique=True, name="display_unique"),
            IndexModel([("answered_at", pymongo.DESCENDING), ("_id", pymongo.DESCENDING)]),
            IndexModel([("survey_key", pymongo.ASCENDING), ("answered_at", pymongo.DESCENDING)]),
            IndexModel([("metric", pymongo.ASCENDING), ("answered_at", pymongo.DESCENDING)]),
            IndexModel([("product", pymongo.ASCENDING), ("answered_at", pymongo.DESCENDING)]),
            IndexModel(
                [("customer.country", pymongo.ASCENDING), ("answered_at", pymongo.DESCENDING)]
            ),
            IndexModel([("channel", pymongo.ASCENDING), ("answered_at", pymongo.DESCENDING)]),
            IndexModel([("user.id", pymongo.ASCENDING)]),
            IndexModel([("user.username", pymongo.ASCENDING)]),  # quoted in comments
            # Only the comments waiting for the tagger are in it, in the order it takes them.
            IndexModel(
                [("themes_pending", pymongo.ASCENDING), ("_id", pymongo.ASCENDING)],
                name="themes_pending",
                partialFilterExpression={"themes_pending": True},
            ),
        ]
