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
    theme: str | None = None  # a theme's key: the comment's tags include it


class BusinessHours(BaseModel):
    """When reminder clocks run: from `start` to `end` (local "HH:MM", same day) on
    the ISO weekdays `days` (1 Monday … 7 Sunday), in the IANA `time_zone`."""

    time_zone: str
    days: list[int] = [1, 2, 3, 4, 5]
    start: str = "09:00"
    end: str = "17:00"


class ReminderPolicy(BaseModel):
    """How long a follow-up may wait before the hub speaks up in its thread: unclaimed
    (mentioning the on-call user group), then claimed but unresolved (mentioning the
    claimer). Detractors past either are also escalated. Unset: no reminder."""

    unclaimed_after_minutes: int | None = None
    unresolved_after_minutes: int | None = None
    on_call_group_id: str | None = None  # a Slack user group, S0123ABCD
    escalation_channel_id: str | None = None  # else the defaults' escalation channel
    business_hours: BusinessHours | None = None  # None: the clock always runs


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
    reminders: ReminderPolicy = ReminderPolicy()
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
    reminders: ReminderPolicy = ReminderPolicy()  # for follow-ups no rule matched
    updated_at: datetime

    class Settings:
        name = "routing_defaults"
        indexes = [IndexModel([("key", pymongo.ASCENDING)], unique=True, name="key_unique")]
