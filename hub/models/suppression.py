"""People who must never be surveyed or contacted again, kept only as keyed hashes."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import pymongo
from beanie import Document
from pymongo import IndexModel


class SuppressionReason(StrEnum):
    OBJECTION = "OBJECTION"
    ERASURE = "ERASURE"
    RESTRICTION = "RESTRICTION"


class Suppression(Document):
    """One identity (a user id or an e-mail address) as an HMAC keyed with the server
    secret: it can be matched, but not read back or guessed from a list of addresses.

    One entry per identity and reason: a person restricted who then objects has two,
    and lifting the restriction removes only the first."""

    identity_hmac: str
    reason: SuppressionReason
    created_at: datetime

    class Settings:
        name = "suppressions"
        indexes = [
            IndexModel(
                [("identity_hmac", pymongo.ASCENDING), ("reason", pymongo.ASCENDING)],
                unique=True,
                name="identity_reason_unique",
            )
        ]


class OptOutObjection(Document):
    """That an objection was received through the opt-out link of an e-mail, for the
    privacy officer to see. Holds the keyed hashes of the identity, not the identity."""

    identity_hmacs: list[str]
    survey_key: str
    received_at: datetime

    class Settings:
        name = "opt_out_objections"
        indexes = [IndexModel([("received_at", pymongo.DESCENDING)])]
