from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import pymongo
from beanie import Document, PydanticObjectId
from pydantic import BaseModel
from pymongo import IndexModel

from hub.models.common import Metric


class FollowUpStatus(StrEnum):
    OPEN = "OPEN"
    CLAIMED = "CLAIMED"
    RESOLVED = "RESOLVED"


class PostKind(StrEnum):
    ROUTED = "ROUTED"  # the channel the routing rules picked
    ESCALATION = "ESCALATION"  # the escalation channel, for detractors
    DIGEST = "DIGEST"  # one line of a digest message


class SlackPost(BaseModel):
    """A Slack message about the follow-up: where it is, so it can be updated."""

    channel_id: str
    ts: str
    kind: PostKind
    posted_at: datetime


class Actor(BaseModel):
    """Who claimed or resolved: a Slack user (`slack:U123`) or an API key (`key:<id>`)."""

    id: str
    name: str


class Resolution(BaseModel):
    by: Actor
    note: str
    customer_informed: bool
    resolved_at: datetime


class CustomerReply(BaseModel):
    """An e-mail the claimer sent the customer about their feedback: what it said, to
    which address, in which language, and the outbox message that delivers it."""

    by: Actor
    text: str
    to: str
    locale: str
    outbox_id: str
    sent_at: datetime  # when it was queued; the outbox delivers it


class FollowUpAction(StrEnum):
    """What happened to a follow-up; each is announced in its Slack message's thread."""

    CLAIMED = "CLAIMED"
    UNCLAIMED = "UNCLAIMED"
    RESOLVED = "RESOLVED"
    REASSIGNED = "REASSIGNED"
    REOPENED = "REOPENED"


class Reopening(BaseModel):
    """Who put a resolved follow-up back in the queue, and why."""

    by: Actor
    reason: str
    reopened_at: datetime


class FollowUp(Document):
    """A response with a comment that someone should act on."""

    response_id: PydanticObjectId
    subject_id: str  # the user id of the person who answered, to find their follow-ups
    survey_key: str
    metric: Metric
    score: int
    channels: list[str]  # Slack channels it is routed to (routed first, then escalation)
    status: FollowUpStatus = FollowUpStatus.OPEN
    claimed_by: Actor | None = None
    claimed_at: datetime | None = None
    resolution: Resolution | None = None  # the last one: kept when reopened
    assigned_by: Actor | None = None  # who handed it to the claimer; None: claimed by them
    reopened: Reopening | None = None  # the last reopening
    posts: list[SlackPost] = []
    version: int = 1  # bumped on every change that the Slack message shows
    routing_rule_id: PydanticObjectId | None = None  # the rule that routed it; None: defaults
    reminders_sent: list[str] = []  # the reminder stages already queued (see reminders.py)
    redacted: bool = False
    created_at: datetime
    customer_replies: list[CustomerReply] = []
    customer_informed_at: datetime | None = None  # the first reply to the customer

    class Settings:
        name = "follow_ups"
        indexes = [
            IndexModel([("response_id", pymongo.ASCENDING)], unique=True, name="response_unique"),
            IndexModel([("status", pymongo.ASCENDING), ("created_at", pymongo.ASCENDING)]),
            # The followUps connection: oldest first, then by id.
            IndexModel([("created_at", pymongo.ASCENDING), ("_id", pymongo.ASCENDING)]),
            IndexModel([("claimed_by.id", pymongo.ASCENDING), ("status", pymongo.ASCENDING)]),
            IndexModel([("subject_id", pymongo.ASCENDING)]),
            IndexModel([("posts.channel_id", pymongo.ASCENDING), ("posts.ts", pymongo.ASCENDING)]),
        ]


class FollowUpNote(Document):
    """An internal note: a reply an employee wrote in the thread of a follow-up's
    Slack message. Never sent to the customer."""

    follow_up_id: PydanticObjectId
    subject_id: str  # the follow-up's, to find a person's notes
    author: Actor
    text: str
    channel_id: str
    ts: str  # the Slack message, stored once however often Slack delivers it
    written_at: datetime

    class Settings:
        name = "follow_up_notes"
        indexes = [
            IndexModel(
                [("channel_id", pymongo.ASCENDING), ("ts", pymongo.ASCENDING)],
                unique=True,
                name="slack_message_unique",
            ),
            IndexModel([("follow_up_id", pymongo.ASCENDING), ("written_at", pymongo.ASCENDING)]),
            IndexModel([("subject_id", pymongo.ASCENDING)]),
        ]
