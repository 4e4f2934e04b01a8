"""Beanie documents: collection names and indexes, no business rules."""

from hub.models.activity import ContactState, Display, DisplayContext, Login, Person
from hub.models.apikey import ApiKey
from hub.models.common import Channel, Customer, Metric, Role, UserIdentity
from hub.models.outbox import OutboxMessage, OutboxPause, OutboxStatus
from hub.models.response import Response
from hub.models.rollup import DailyRollup, SlotRollup
from hub.models.survey import ContactRules, Survey, SurveyStatus, SurveyText

ALL_MODELS = (
    Survey,
    ApiKey,
    Display,
    Login,
    Person,
    ContactState,
    Response,
    OutboxMessage,
    OutboxPause,
    DailyRollup,
    SlotRollup,
)

__all__ = [
    "ALL_MODELS",
    "ApiKey",
    "Channel",
    "ContactRules",
    "ContactState",
    "Customer",
    "DailyRollup",
    "Display",
    "DisplayContext",
    "Login",
    "Metric",
    "OutboxMessage",
    "OutboxPause",
    "OutboxStatus",
    "Person",
    "Response",
    "Role",
    "SlotRollup",
    "Survey",
    "SurveyStatus",
    "SurveyText",
    "UserIdentity",
]
