"""Beanie documents: collection names and indexes, no business rules."""

from hub.models.activity import ContactState, Display, DisplayContext, Login, Person
from hub.models.apikey import ApiKey
from hub.models.common import Channel, Customer, Metric, Role, UserIdentity
from hub.models.console import ConsoleMember, ConsoleSession
from hub.models.event import LiveEvent
from hub.models.followup import FollowUp, FollowUpNote, FollowUpStatus
from hub.models.lease import JobLease
from hub.models.ledger import ErasureLedgerEntry
from hub.models.link import SurveyLink
from hub.models.migration import SchemaMigration
from hub.models.outbox import OutboxMessage, OutboxPause, OutboxStatus
from hub.models.privacy import (
    AuditEntry,
    AuditHead,
    RightsRequest,
    SurveyRetention,
)
from hub.models.privacy_export import PrivacyExport
from hub.models.response import Response
from hub.models.rollup import DailyRollup, HourlyRollup, RollupChange, SlotRollup
from hub.models.routing import RoutingDefaults, RoutingRule
from hub.models.slack import SlackRequestSeen, SlackUser
from hub.models.suppression import OptOutObjection, Suppression, SuppressionReason
from hub.models.survey import ContactRules, Survey, SurveyStatus, SurveyText
from hub.models.theme import Theme, ThemeJob, ThemeRule, ThemeTag
from hub.models.theme_rollup import ThemeDailyRollup, ThemeHourlyRollup, ThemeSlotRollup

ALL_MODELS = (
    Survey,
    ApiKey,
    ConsoleMember,
    ConsoleSession,
    Display,
    Login,
    Person,
    ContactState,
    Response,
    OutboxMessage,
    OutboxPause,
    FollowUp,
    FollowUpNote,
    RoutingRule,
    RoutingDefaults,
    SlackUser,
    SlackRequestSeen,
    Suppression,
    OptOutObjection,
    ErasureLedgerEntry,
    SurveyLink,
    RightsRequest,
    AuditEntry,
    AuditHead,
    SurveyRetention,
    PrivacyExport,
    JobLease,
    DailyRollup,
    HourlyRollup,
    SlotRollup,
    RollupChange,
    LiveEvent,
    SchemaMigration,
    Theme,
    ThemeJob,
    ThemeDailyRollup,
    ThemeHourlyRollup,
    ThemeSlotRollup,
)

__all__ = [
    "ALL_MODELS",
    "ApiKey",
    "AuditEntry",
    "AuditHead",
    "Channel",
    "ConsoleMember",
    "ConsoleSession",
    "ContactRules",
    "ContactState",
    "Customer",
    "DailyRollup",
    "Display",
    "DisplayContext",
    "ErasureLedgerEntry",
    "FollowUp",
    "FollowUpNote",
    "FollowUpStatus",
    "HourlyRollup",
    "JobLease",
    "LiveEvent",
    "Login",
    "Metric",
    "OptOutObjection",
    "OutboxMessage",
    "OutboxPause",
    "OutboxStatus",
    "Person",
    "PrivacyExport",
    "Response",
    "RightsRequest",
    "Role",
    "RollupChange",
    "RoutingDefaults",
    "RoutingRule",
    "SchemaMigration",
    "SlackRequestSeen",
    "SlackUser",
    "SlotRollup",
    "Suppression",
    "SuppressionReason",
    "Survey",
    "SurveyLink",
    "SurveyRetention",
    "SurveyStatus",
    "SurveyText",
    "Theme",
    "ThemeDailyRollup",
    "ThemeHourlyRollup",
    "ThemeJob",
    "ThemeRule",
    "ThemeSlotRollup",
    "ThemeTag",
    "UserIdentity",
]
