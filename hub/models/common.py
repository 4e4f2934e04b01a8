"""Value types shared by several documents."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel


class Metric(StrEnum):
    NPS = "NPS"
    CES = "CES"
    CSAT = "CSAT"

    @property
    def scale(self) -> tuple[int, int]:
        """The lowest and highest score of the metric."""
        return _SCALES[self]


_SCALES = {Metric.NPS: (0, 10), Metric.CES: (1, 7), Metric.CSAT: (1, 5)}


class Channel(StrEnum):
    IN_APP_WEB = "IN_APP_WEB"
    MOBILE = "MOBILE"
    EMAIL = "EMAIL"
    LINK = "LINK"


class Role(StrEnum):
    WIDGET = "widget"
    VIEWER = "viewer"
    AGENT = "agent"
    PRIVACY_OFFICER = "privacy_officer"
    ADMIN = "admin"


class UserIdentity(BaseModel):
    """The person giving feedback, as the product that embeds the survey knows them."""

    id: str
    username: str | None = None
    email: str | None = None


class Customer(BaseModel):
    """The customer (company) the person belongs to."""

    company: str | None = None
    country: str | None = None
