"""Live events: one document per new score, comment or decline, written in the same
transaction as the record it announces, so every hub process can relay it to its
`responseEvents` subscribers from a change stream; and one per change of a follow-up
(opened, claimed, handed back, reassigned, resolved, reopened), which every process
relays to the console's live pages. It names the record, never the person; the
database deletes it after an hour."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import pymongo
from beanie import Document, PydanticObjectId
from pymongo import IndexModel

LIVE_EVENT_SECONDS = 3600


class EventKind(StrEnum):
    SCORE = "SCORE"
    COMMENT = "COMMENT"
    DECLINE = "DECLINE"


class ChangeKind(StrEnum):
    """Changes the console's live pages hear of (not response events: `responseEvents`
    never sees them)."""

    FOLLOW_UP = "FOLLOW_UP"


class LiveEvent(Document):
    kind: EventKind | ChangeKind
    # The response (scores, comments), display (declines) or follow-up the event is about.
    record_id: PydanticObjectId
    at: datetime

    class Settings:
        name = "live_events"
        indexes = [
            IndexModel(
                [("at", pymongo.ASCENDING)],
                expireAfterSeconds=LIVE_EVENT_SECONDS,
                name="at_ttl",
            ),
        ]
