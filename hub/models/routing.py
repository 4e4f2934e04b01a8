from __future__ import annotations

from datetime import datetime

import pymongo
from beanie import Document
from pydantic import BaseModel
from pymongo import IndexModel

from hub.models.common import Metric


class RoutingMatch(BaseModel):
    """What a response must have for a rule to apply; an unset field matches anything."""

    survey_key: str | None = None
    product: str | None = None
    metric: Metric | None = None
    score_min: int | None = None
    score_max: int | None = None
    country: str | None = None  # ISO 3166-1 alpha-2


class RoutingRule(Document):
    """Sends the follow-ups that match to a Slack channel. Rules are tried in priority
    order (lowest number first); the first that matches wins."""

    name: str
    priority: int
    match: RoutingMatch
    channel_id: str
    # Where customers' answers to the replies sent from its follow-ups go (Reply-To);
    # None: to the hub's sender address.
    reply_to: str | None = None
    created_at: datetime
    updated_at: datetime

    class Settings:
        name = "routing_rules"
        indexes = [IndexModel([("priority", pymongo.ASCENDING), ("created_at", pymongo.ASCENDING)])]


class RoutingDefaults(Document):
    """The one set of routing defaults: where follow-ups go that no rule matches, and
    the escalation channel that also gets every detractor."""

    key: str = "default"
    default_channel_id: str | None = None
    escalation_channel_id: str | None = None
    updated_at: datetime

    class Settings:
        name = "routing_defaults"
        indexes = [IndexModel([("key", pymongo.ASCENDING)], unique=True, name="key_unique")]
