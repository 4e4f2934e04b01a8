from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import pymongo
from beanie import Document
from pymongo import IndexModel

# Keys of the e-mails that answer a person's own rights request (receipt, completion…):
# addressed to them on purpose, so an erasure leaves them to be delivered (and then
# stripped of the address like every delivered message).
RIGHTS_ANSWER_KEY_PREFIX = "rights-message"


class OutboxStatus(StrEnum):
    PENDING = "PENDING"
    IN_FLIGHT = "IN_FLIGHT"
    DELIVERED = "DELIVERED"
    FAILED = "FAILED"
    # Refused for a reason a person can fix (the bot is not in the channel, the token
    # was revoked): kept, and released back to PENDING once the cause is gone.
    HELD = "HELD"


class OutboxMessage(Document):
    """A side effect that leaves the process (a Slack post, an e-mail), written in the
    same operation as the change that causes it and delivered by the dispatcher."""

    kind: str
    key: str  # idempotency key: enqueueing the same key twice keeps one message
    channel: str  # what rate limits apply to: a Slack channel id, "smtp", ...
    payload: dict[str, Any]
    subject_ids: list[str] = []  # user ids of the people the message is about
    status: OutboxStatus = OutboxStatus.PENDING
    attempts: int = 0
    next_attempt_at: datetime
    lease_owner: str | None = None
    lease_expires_at: datetime | None = None
    lease_token: str | None = None  # the claim that leased it: a batch reads back its own
    last_error: str | None = None  # an error class or code, never a payload; why it is held
    result: dict[str, Any] | None = None
    created_at: datetime
    delivered_at: datetime | None = None

    class Settings:
        name = "outbox"
        indexes = [
            IndexModel([("key", pymongo.ASCENDING)], unique=True, name="key_unique"),
            IndexModel([("status", pymongo.ASCENDING), ("next_attempt_at", pymongo.ASCENDING)]),
            IndexModel([("channel", pymongo.ASCENDING), ("status", pymongo.ASCENDING)]),
            # The dispatcher's claim: one channel's due messages, oldest first, as an
            # index range read up to the batch size, however many wait. (The range's
            # field is the last: SecantusDB 0.7 leaves a `$lte` bound's own value out
            # of a range on a field that is followed by another.)
            IndexModel(
                [
                    ("status", pymongo.ASCENDING),
                    ("channel", pymongo.ASCENDING),
                    ("next_attempt_at", pymongo.ASCENDING),
                ],
                name="due_by_channel",
            ),
            # Leases that ran out (their process died), found without reading the rest.
            IndexModel(
                [("status", pymongo.ASCENDING), ("lease_expires_at", pymongo.ASCENDING)],
                name="lease_expiry",
            ),
            IndexModel([("subject_ids", pymongo.ASCENDING)]),
            # The operators' list of deliveries, newest first (DeliveryLog), of every kind
            # or of one; by status it reads the (status, next_attempt_at) index above.
            IndexModel([("created_at", pymongo.DESCENDING), ("_id", pymongo.DESCENDING)]),
            IndexModel(
                [
                    ("kind", pymongo.ASCENDING),
                    ("created_at", pymongo.DESCENDING),
                    ("_id", pymongo.DESCENDING),
                ]
            ),
        ]


class OutboxPause(Document):
    """A channel the dispatcher must leave alone until a time (a 429 Retry-After)."""

    channel: str
    until: datetime

    class Settings:
        name = "outbox_pauses"
        indexes = [IndexModel([("channel", pymongo.ASCENDING)], unique=True, name="channel_unique")]
