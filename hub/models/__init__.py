"""Beanie documents: collection names and indexes, no business rules."""

from hub.models.activity import ContactState, Display, DisplayContext, Login, Person
from hub.models.apikey import ApiKey
from hub.models.common import Channel, Customer, Metric, Role, UserIdentity
from hub.models.followup import FollowUp, FollowUpStatus
from hub.models.link import SurveyLink
from hub.models.outbox import OutboxMessage, OutboxPause, OutboxStatus
from hub.models.response import Response
from hub.models.rollup import DailyRollup, SlotRollup
from hub.models.routing import RoutingDefaults, RoutingRule
from hub.models.slack import SlackRequestSeen, SlackUser
from hub.models.suppression import OptOutObjection, Suppression, SuppressionReason
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
    FollowUp,
    RoutingRule,
    RoutingDefaults,
    SlackUser,
    SlackRequestSeen,
    Suppression,
    OptOutObjection,
    SurveyLink,
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
    "FollowUp",
    "FollowUpStatus",
    "Login",
    "Metric",
    "OptOutObjection",
    "OutboxMessage",
    "OutboxPause",
    "OutboxStatus",
    "Person",
    "Response",
    "Role",
    "RoutingDefaults",
    "RoutingRule",
    "SlackRequestSeen",
    "SlackUser",
    "SlotRollup",
    "Suppression",
    "SuppressionReason",
    "Survey",
    "SurveyLink",
    "SurveyStatus",
    "SurveyText",
    "UserIdentity",
]
