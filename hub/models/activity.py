"""What the hub records to decide whether a survey may be shown: displays, logins,
and a small per-person summary that keeps eligibility to a few indexed reads."""

from __future__ import annotations

from datetime import datetime

import pymongo
from beanie import Document, PydanticObjectId
from pydantic import BaseModel
from pymongo import IndexModel

from hub.models.common import Channel, Customer, UserIdentity


class DisplayContext(BaseModel):
    """Where the survey was shown: the customer, the page and the product."""

    company: str | None = None
    country: str | None = None
    url: str | None = None
    product: str | None = None


class Display(Document):
    survey_key: str
    user: UserIdentity
    channel: Channel
    locale: str
    context: DisplayContext
    shown_at: datetime
    response_id: PydanticObjectId | None = None
    answered_at: datetime | None = None
    declined_at: datetime | None = None
    analytics_excluded: bool = False  # the person's request took it out of analytics

    class Settings:
        name = "displays"
        indexes = [
            IndexModel([("user.id", pymongo.ASCENDING), ("shown_at", pymongo.DESCENDING)]),
            IndexModel([("survey_key", pymongo.ASCENDING), ("shown_at", pymongo.DESCENDING)]),
            IndexModel([("shown_at", pymongo.ASCENDING)]),
            IndexModel([("user.username", pymongo.ASCENDING)]),  # quoted in comments
        ]

    @property
    def customer(self) -> Customer:
        return Customer(company=self.context.company, country=self.context.country)


class Login(Document):
    user: UserIdentity
    logged_in_at: datetime

    class Settings:
        name = "logins"
        indexes = [
            IndexModel([("user.id", pymongo.ASCENDING), ("logged_in_at", pymongo.DESCENDING)]),
            IndexModel([("logged_in_at", pymongo.ASCENDING)]),
        ]


class Person(Document):
    """When a person was first seen and how often they logged in."""

    user_id: str
    first_seen_at: datetime
    login_count: int = 0
    last_login_at: datetime | None = None

    class Settings:
        name = "people"
        indexes = [IndexModel([("user_id", pymongo.ASCENDING)], unique=True, name="user_unique")]


class ContactState(Document):
    """One person's history with one survey, kept up to date on every display,
    answer and decline so eligibility never scans raw records."""

    user_id: str
    survey_key: str
    first_display_at: datetime | None = None
    last_display_at: datetime | None = None
    last_answer_at: datetime | None = None
    last_decline_at: datetime | None = None
    unanswered_displays: int = 0

    class Settings:
        name = "contact_states"
        indexes = [
            IndexModel(
                [("user_id", pymongo.ASCENDING), ("survey_key", pymongo.ASCENDING)],
                unique=True,
                name="user_survey_unique",
            )
        ]
