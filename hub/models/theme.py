"""Themes: what comments are about, defined by admins as match rules per language,
and the tags the hub writes on each comment it matches."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import pymongo
from beanie import Document, PydanticObjectId
from pydantic import BaseModel, Field
from pymongo import IndexModel


class ThemeRule(BaseModel):
    """The words and phrases that mean a theme in one language, matched on their
    Snowball stems ("factura" matches "facturas" and "facturación"). A word ending in
    `*` matches every word that begins with it (compounds: "faktura*" matches
    "fakturabeløp"). An occurrence inside one of the `exclusions` does not count
    ("expensive" with the exclusion "not expensive")."""

    language: str = Field(description="en, es, nb, sv, da, fi or nl.")
    terms: list[str]
    exclusions: list[str] = Field(default_factory=list)


class Theme(Document):
    """A theme an admin defined. `version` grows with every change of its rules, so
    tags computed with older rules can be found and recomputed."""

    key: str
    name: str
    name_folded: str  # the name case-folded: two themes never share a name
    description: str = ""
    rules: list[ThemeRule]
    version: int = 1
    created_at: datetime
    updated_at: datetime

    class Settings:
        name = "themes"
        indexes = [
            IndexModel([("key", pymongo.ASCENDING)], unique=True, name="key_unique"),
            IndexModel([("name_folded", pymongo.ASCENDING)], unique=True, name="name_unique"),
        ]


class ThemeTag(BaseModel):
    """One theme a comment matched, with what produced it: the rule's language, the
    term as the rule writes it, and the comment's own words that matched. Derived
    from the comment, so personal data like it."""

    theme: str = Field(description="The theme's key.")
    language: str
    rule: str
    words: list[str]


class ThemeChange(StrEnum):
    CREATED = "CREATED"
    UPDATED = "UPDATED"
    DELETED = "DELETED"


class ThemeJobStatus(StrEnum):
    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    DONE = "DONE"
    FAILED = "FAILED"
    SUPERSEDED = "SUPERSEDED"  # a newer change's job re-tags everything again


class CatalogTheme(BaseModel):
    """One theme of the catalog a re-tag job applies, at the version it applies."""

    key: str
    version: int


class ThemeJob(Document):
    """A re-tag of the past comments after a change of the themes: the comments are
    walked in id order, a chunk at a time, and `last_response_id` says where to go on
    after a crash. The walk stops at `until_response_id`, the newest response when it
    started: newer comments are tagged by the tagger as they come."""

    theme: str  # the key of the theme whose change started it
    change: ThemeChange
    catalog: list[CatalogTheme]
    status: ThemeJobStatus = ThemeJobStatus.QUEUED
    total: int = 0
    processed: int = 0
    changed: int = 0
    last_response_id: PydanticObjectId | None = None
    until_response_id: PydanticObjectId | None = None
    error: str | None = None  # an error class, never its text
    created_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None

    class Settings:
        name = "theme_jobs"
        indexes = [
            IndexModel([("created_at", pymongo.DESCENDING)], name="newest_first"),
            IndexModel([("status", pymongo.ASCENDING), ("created_at", pymongo.DESCENDING)]),
        ]
