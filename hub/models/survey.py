from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import pymongo
from beanie import Document
from pydantic import BaseModel, Field
from pymongo import IndexModel

from hub.models.common import Channel, Metric


class SurveyStatus(StrEnum):
    DRAFT = "DRAFT"
    ACTIVE = "ACTIVE"
    PAUSED = "PAUSED"
    ARCHIVED = "ARCHIVED"


class SurveyText(BaseModel):
    locale: str
    question: str
    follow_up: str
    thank_you: str


class ContactRules(BaseModel):
    """When a person may be shown this survey. Defaults are what peers found workable."""

    days_after_answer: int = Field(default=90, ge=0)
    days_after_decline: int = Field(default=30, ge=0)
    max_displays_without_answer: int = Field(default=3, ge=1)
    min_days_between_displays: int = Field(default=1, ge=0)
    sampling_percent: float = Field(default=100.0, ge=0, le=100)
    min_logins: int | None = Field(default=None, ge=1)
    min_days_since_first_seen: int | None = Field(default=None, ge=1)


class Survey(Document):
    key: str
    metric: Metric
    product: str
    texts: list[SurveyText]
    default_locale: str
    channels: list[Channel]
    status: SurveyStatus = SurveyStatus.DRAFT
    contact_rules: ContactRules = Field(default_factory=ContactRules)
    created_at: datetime
    updated_at: datetime

    class Settings:
        name = "surveys"
        indexes = [
            IndexModel([("key", pymongo.ASCENDING)], unique=True, name="key_unique"),
            IndexModel([("status", pymongo.ASCENDING), ("key", pymongo.ASCENDING)]),
        ]

    def text_for(self, locale: str | None) -> SurveyText:
        """The texts for `locale`, its language, or the default locale, in that order."""
        by_locale = {text.locale.lower(): text for text in self.texts}
        if locale:
            wanted = locale.lower().replace("_", "-")
            if wanted in by_locale:
                return by_locale[wanted]
            language = wanted.split("-")[0]
            if language in by_locale:
                return by_locale[language]
            for key, text in by_locale.items():
                if key.split("-")[0] == language:
                    return text
        return by_locale[self.default_locale.lower()]
