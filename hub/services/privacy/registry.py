"""The registry of personal data: for every collection, which fields hold personal
data, how a person's documents are found, and what erasure, rectification and
retention do with each field. Access exports, erasure and retention are driven by it,
and a test fails when a model has a field that the registry does not classify."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from beanie import Document

from hub.models import (
    ApiKey,
    AuditEntry,
    AuditHead,
    ConsoleMember,
    ConsoleSession,
    ContactState,
    DailyRollup,
    Display,
    ErasureLedgerEntry,
    FollowUp,
    FollowUpNote,
    HourlyRollup,
    JobLease,
    LiveEvent,
    Login,
    OptOutObjection,
    OutboxMessage,
    OutboxPause,
    Person,
    PrivacyExport,
    Response,
    RightsRequest,
    RollupChange,
    RoutingDefaults,
    RoutingRule,
    SchemaMigration,
    SlackRequestSeen,
    SlackUser,
    SlotRollup,
    Suppression,
    Survey,
    SurveyLink,
    SurveyRetention,
    Theme,
    ThemeDailyRollup,
    ThemeHourlyRollup,
    ThemeJob,
    ThemeSlotRollup,
)


class Category(StrEnum):
    """The kinds of personal data the processing information names."""

    IDENTIFIER = "identifier"  # user id, username
    CONTACT = "contact"  # e-mail address
    CUSTOMER = "customer"  # company and country
    USAGE = "usage"  # pages visited, logins, displays
    FEEDBACK = "feedback"  # scores and comments
    STAFF = "staff"  # employees handling follow-ups (Slack names)
    KEYED_HASH = "keyed_hash"  # HMACs of an identity: matchable, not readable


class OnErasure(StrEnum):
    """What erasing the subject does to a document about them."""

    DELETE = "DELETE"  # the whole document goes
    ANONYMISE = "ANONYMISE"  # the personal fields are cleared, the rest is kept
    KEEP = "KEEP"  # kept on purpose (keyed hashes, staff data): see `reason`


class Retention(StrEnum):
    """How long a collection keeps personal data (GDPR Art. 5(1)(e)), and who applies
    it: the retention run (hub/services/privacy/retention.py), a TTL index, or nobody (KEEP,
    with the reason)."""

    # anonymised together with the response it belongs to (the survey's retention,
    # at most 3 years): identity removed, no link back to a named person
    WITH_RESPONSE = "WITH_RESPONSE"
    # deleted once older than the contact rules look back (at most 3 years)
    CONTACT_RULES = "CONTACT_RULES"
    # deleted when nothing needs it: no display, answer or login within what the
    # contact rules look back (at most 3 years)
    WHILE_ACTIVE = "WHILE_ACTIVE"
    # personal parts cleared once delivered; delivered and given-up entries deleted
    # after HUB_OUTBOX_RETENTION_DAYS, undelivered ones after 3 years
    UNTIL_DELIVERED = "UNTIL_DELIVERED"
    # anonymised as erasure does (keyed hashes and what was done stay) 3 years after
    # the request was closed: completed, rejected or canceled
    AFTER_CLOSURE = "AFTER_CLOSURE"
    # deleted by the database through a TTL index on the document
    EXPIRES = "EXPIRES"
    KEEP = "KEEP"  # kept on purpose: see `retention_reason`


class Rectifies(StrEnum):
    """The identity attribute a field holds, for rectification."""

    EMAIL = "email"
    USERNAME = "username"
    COMPANY = "company"
    COUNTRY = "country"


@dataclass(frozen=True)
class PersonalField:
    path: str  # dot-separated, as stored
    category: Category
    rectifies: Rectifies | None = None
    free_text: bool = False  # may quote other people's identities (comments, notes)


@dataclass(frozen=True)
class CollectionEntry:
    """One collection's personal data.

    `subject_path` finds a person's documents by user id; None when the collection
    holds no document about the person giving feedback (staff data, hashes only).
    `not_personal` lists every other field, each with why it is not personal data.
    """

    model: type[Document]
    subject_path: str | None
    on_erasure: OnErasure
    personal: tuple[PersonalField, ...]
    not_personal: dict[str, str]
    purpose: str
    reason: str = ""
    email_path: str | None = None  # finds a person's documents by e-mail address
    anonymised: dict[str, object] = field(default_factory=dict)  # values set by ANONYMISE
    retention: tuple[Retention, ...] = ()  # every collection with personal data has one
    retention_reason: str = ""  # why a collection is kept (KEEP)

    @property
    def collection(self) -> str:
        return str(self.model.Settings.name)

    def personal_paths(self) -> list[str]:
        return [item.path for item in self.personal]

    def rectifiable(self) -> dict[Rectifies, list[str]]:
        found: dict[Rectifies, list[str]] = {}
        for item in self.personal:
            if item.rectifies is not None:
                found.setdefault(item.rectifies, []).append(item.path)
        return found


_USER = (
    PersonalField("user.id", Category.IDENTIFIER),
    PersonalField("user.username", Category.IDENTIFIER, Rectifies.USERNAME),
    PersonalField("user.email", Category.CONTACT, Rectifies.EMAIL),
)
# An erased or retired identity: the documents stay countable, nobody is named.
ANONYMOUS_USER = {"id": "anonymous", "username": None, "email": None}
REDACTED = "[redacted]"

# The rollups hold counters over customer dimensions, never a person.
COUNTED_ONLY = ("displays", "declines", "responses", "comments")
ROLLUP_FIELDS = {
    "detail": "which level of detail the counters are kept at",
    "survey_key": "which survey",
    "metric": "the survey's metric",
    "product": "the product or service the survey is about",
    "country": "a customer country the counters are summed over, not a person",
    "channel": "how surveys were shown",
    "company": "a customer company the counters are summed over, not a person",
    "displays": "a count",
    "declines": "a count",
    "responses": "a count",
    "comments": "how many responses got a comment (no text)",
    "score_sum": "a sum of scores",
    "scores": "counts per score value",
}
# The theme rollups: the same, per theme, counting mentions (no comment, no words).
THEME_ROLLUP_FIELDS = {
    **{name: ROLLUP_FIELDS[name] for name in ROLLUP_FIELDS if name not in COUNTED_ONLY},
    "theme": "a theme's key, which an admin defined",
    "mentions": "how many responses' comments had the theme (no text)",
}

REGISTRY: tuple[CollectionEntry, ...] = (
    CollectionEntry(
        Response,
        subject_path="user.id",
        email_path="user.email",
        on_erasure=OnErasure.ANONYMISE,
        retention=(Retention.WITH_RESPONSE,),
        purpose="Measure satisfaction and act on feedback.",
        personal=(
            *_USER,
            PersonalField("comment", Category.FEEDBACK, free_text=True),
            # Derived from the comment: the themes it matched and its words that did.
            PersonalField("themes.theme", Category.FEEDBACK),
            PersonalField("themes.language", Category.FEEDBACK),
            PersonalField("themes.rule", Category.FEEDBACK),
            # The comment's own words: they may quote someone, as the comment may.
            PersonalField("themes.words", Category.FEEDBACK, free_text=True),
            PersonalField("url", Category.USAGE),
            PersonalField("customer.company", Category.CUSTOMER, Rectifies.COMPANY),
            PersonalField("customer.country", Category.CUSTOMER, Rectifies.COUNTRY),
        ),
        anonymised={
            "user": ANONYMOUS_USER,
            "comment": None,
            "themes": [],
            "themes_pending": None,
            "url": None,
            "customer": {"company": None, "country": None},
        },
        not_personal={
            "analytics_excluded": "whether the person's request took it out of analytics",
            "themes_pending": "whether the comment waits to be matched against the themes",
            "survey_key": "which survey",
            "metric": "the survey's metric",
            "display_id": "an internal id",
            "score": "kept anonymised for the survey's statistics",
            "commented_at": "a time, anonymous once the identity is removed",
            "product": "the product surveyed",
            "channel": "how the survey was shown",
            "locale": "the language of the survey",
            "answered_at": "a time, anonymous once the identity is removed",
        },
    ),
    CollectionEntry(
        Display,
        subject_path="user.id",
        email_path="user.email",
        on_erasure=OnErasure.DELETE,
        retention=(Retention.WITH_RESPONSE, Retention.CONTACT_RULES),
        purpose="Decide when a person may be surveyed (contact rules).",
        personal=(
            *_USER,
            PersonalField("context.company", Category.CUSTOMER, Rectifies.COMPANY),
            PersonalField("context.country", Category.CUSTOMER, Rectifies.COUNTRY),
            PersonalField("context.url", Category.USAGE),
            PersonalField("context.product", Category.USAGE),
        ),
        not_personal={
            "survey_key": "which survey",
            "channel": "how the survey was shown",
            "locale": "the language of the survey",
            "shown_at": "a time, deleted with the person's displays",
            "response_id": "an internal id",
            "answered_at": "a time, deleted with the person's displays",
            "declined_at": "a time, deleted with the person's displays",
            "analytics_excluded": "whether the person's request took it out of analytics",
        },
    ),
    CollectionEntry(
        Login,
        subject_path="user.id",
        email_path="user.email",
        on_erasure=OnErasure.DELETE,
        retention=(Retention.CONTACT_RULES,),
        purpose="Decide when a person may be surveyed (contact rules).",
        personal=(*_USER, PersonalField("logged_in_at", Category.USAGE)),
        not_personal={},
    ),
    CollectionEntry(
        Person,
        subject_path="user_id",
        on_erasure=OnErasure.DELETE,
        retention=(Retention.WHILE_ACTIVE,),
        purpose="Decide when a person may be surveyed (contact rules).",
        personal=(
            PersonalField("user_id", Category.IDENTIFIER),
            PersonalField("first_seen_at", Category.USAGE),
            PersonalField("login_count", Category.USAGE),
            PersonalField("last_login_at", Category.USAGE),
        ),
        not_personal={},
    ),
    CollectionEntry(
        ContactState,
        subject_path="user_id",
        on_erasure=OnErasure.DELETE,
        retention=(Retention.WHILE_ACTIVE,),
        purpose="Decide when a person may be surveyed (contact rules).",
        personal=(
            PersonalField("user_id", Category.IDENTIFIER),
            PersonalField("first_display_at", Category.USAGE),
            PersonalField("last_display_at", Category.USAGE),
            PersonalField("last_answer_at", Category.USAGE),
            PersonalField("last_decline_at", Category.USAGE),
            PersonalField("unanswered_displays", Category.USAGE),
        ),
        not_personal={"survey_key": "which survey"},
    ),
    CollectionEntry(
        FollowUp,
        subject_path="subject_id",
        on_erasure=OnErasure.ANONYMISE,
        retention=(Retention.WITH_RESPONSE,),
        purpose="Act on feedback: follow-ups posted to the Slack workspace.",
        personal=(
            PersonalField("subject_id", Category.IDENTIFIER),
            PersonalField("resolution.note", Category.FEEDBACK, free_text=True),
            PersonalField("posts.channel_id", Category.USAGE),
            PersonalField("posts.ts", Category.USAGE),
            PersonalField("posts.kind", Category.USAGE),
            PersonalField("posts.posted_at", Category.USAGE),
            PersonalField("claimed_by.id", Category.STAFF),
            PersonalField("claimed_by.name", Category.STAFF),
            PersonalField("resolution.by.id", Category.STAFF),
            PersonalField("resolution.by.name", Category.STAFF),
            PersonalField("assigned_by.id", Category.STAFF),
            PersonalField("assigned_by.name", Category.STAFF),
            PersonalField("reopened.by.id", Category.STAFF),
            PersonalField("reopened.by.name", Category.STAFF),
            PersonalField("reopened.reason", Category.FEEDBACK, free_text=True),
            # The e-mails sent to the person from Slack or GraphQL: what they said and
            # where they went (the outbox entry that carried them is deleted on erasure).
            PersonalField("customer_replies.text", Category.FEEDBACK, free_text=True),
            PersonalField("customer_replies.to", Category.CONTACT),
            PersonalField("customer_replies.by.id", Category.STAFF),
            PersonalField("customer_replies.by.name", Category.STAFF),
        ),
        # The Slack messages are redacted (and their places kept, so a late update
        # finds them); the staff who handled the follow-up are not the subject. The
        # replies keep who sent them and when; their text and address go.
        anonymised={
            "subject_id": "anonymous",
            "resolution.note": REDACTED,
            "reopened.reason": REDACTED,
            "redacted": True,
            "customer_replies.$[].text": REDACTED,
            "customer_replies.$[].to": REDACTED,
        },
        not_personal={
            "response_id": "an internal id",
            "survey_key": "which survey",
            "metric": "the survey's metric",
            "score": "anonymous once the identity is removed",
            "channels": "Slack channel ids of the routing rules",
            "status": "the follow-up's state",
            "claimed_at": "a time",
            "resolution.customer_informed": "a flag",
            "resolution.resolved_at": "a time",
            "reopened.reopened_at": "a time",
            "version": "a counter",
            "routing_rule_id": "an internal id",
            "reminders_sent": "which reminders were queued",
            "redacted": "a flag",
            "created_at": "a time",
            "customer_replies.locale": "the language the reply was written for",
            "customer_replies.outbox_id": "an outbox message id",
            "customer_replies.sent_at": "a time",
            "customer_informed_at": "a time",
        },
    ),
    CollectionEntry(
        FollowUpNote,
        subject_path="subject_id",
        on_erasure=OnErasure.ANONYMISE,
        retention=(Retention.WITH_RESPONSE,),
        purpose="Act on feedback: follow-ups posted to the Slack workspace.",
        personal=(
            PersonalField("subject_id", Category.IDENTIFIER),
            PersonalField("text", Category.FEEDBACK, free_text=True),
            PersonalField("author.id", Category.STAFF),
            PersonalField("author.name", Category.STAFF),
            PersonalField("channel_id", Category.USAGE),
            PersonalField("ts", Category.USAGE),
        ),
        # The employees' own messages stay in Slack, out of the hub's reach; the
        # copies here lose what they say about the person.
        anonymised={"subject_id": "anonymous", "text": REDACTED},
        not_personal={
            "follow_up_id": "an internal id",
            "written_at": "a time",
        },
    ),
    CollectionEntry(
        OutboxMessage,
        subject_path="subject_ids",
        on_erasure=OnErasure.DELETE,
        retention=(Retention.UNTIL_DELIVERED,),
        purpose="Deliver e-mails and Slack messages.",
        personal=(
            PersonalField("payload", Category.CONTACT, free_text=True),
            PersonalField("subject_ids", Category.IDENTIFIER),
            PersonalField("result", Category.USAGE),
            PersonalField("key", Category.IDENTIFIER),
        ),
        reason="Delivered messages are deleted too: their payload quotes the person.",
        not_personal={
            "kind": "the kind of message",
            "channel": "a Slack channel id or 'smtp'; for a direct message, the Slack id "
            "of the employee it goes to (staff, as in slack_users), never a customer's",
            "status": "the delivery state",
            "attempts": "a counter",
            "next_attempt_at": "a time",
            "lease_owner": "a process id",
            "lease_expires_at": "a time",
            "lease_token": "a random token of one claim",
            "last_error": "an error class or code, never a payload",
            "created_at": "a time",
            "delivered_at": "a time",
        },
    ),
    CollectionEntry(
        SurveyLink,
        subject_path="user.id",
        email_path="user.email",
        on_erasure=OnErasure.DELETE,
        retention=(Retention.EXPIRES, Retention.WITH_RESPONSE),
        purpose="Survey links and e-mail invitations.",
        personal=_USER,
        not_personal={
            "survey_key": "which survey",
            "locale": "the language of the survey",
            "channel": "LINK or EMAIL",
            "created_at": "a time",
            "expires_at": "a time",
            "display_id": "an internal id",
            "response_id": "an internal id",
            "declined_at": "a time",
            "finished_at": "a time",
        },
    ),
    CollectionEntry(
        SlackUser,
        subject_path=None,
        on_erasure=OnErasure.KEEP,
        retention=(Retention.KEEP,),
        retention_reason="Employees' names while they use the Slack workspace; refreshed "
        "from Slack, not data about the people giving feedback.",
        purpose="Name the employees who claim and resolve follow-ups.",
        reason="Employees' Slack names, not the people giving feedback; a cache.",
        personal=(
            PersonalField("slack_id", Category.STAFF),
            PersonalField("display_name", Category.STAFF),
        ),
        not_personal={"is_admin": "a flag", "fetched_at": "a time"},
    ),
    CollectionEntry(
        Suppression,
        subject_path=None,
        on_erasure=OnErasure.KEEP,
        retention=(Retention.KEEP,),
        retention_reason="Kept as long as the objection or erasure it records holds: it "
        "is what keeps the person from being surveyed again.",
        purpose="Never survey or contact people who objected or were erased.",
        reason="A keyed hash is what keeps an erased person from being surveyed again.",
        personal=(PersonalField("identity_hmac", Category.KEYED_HASH),),
        not_personal={"reason": "why", "created_at": "a time"},
    ),
    CollectionEntry(
        OptOutObjection,
        subject_path=None,
        on_erasure=OnErasure.KEEP,
        retention=(Retention.KEEP,),
        retention_reason="The receipt of an objection, in keyed hashes only.",
        purpose="Show the privacy officer the objections received by e-mail.",
        reason="Keyed hashes only; the record of an objection.",
        personal=(PersonalField("identity_hmacs", Category.KEYED_HASH),),
        not_personal={"survey_key": "which survey", "received_at": "a time"},
    ),
    CollectionEntry(
        ErasureLedgerEntry,
        subject_path=None,
        on_erasure=OnErasure.KEEP,
        retention=(Retention.KEEP,),
        retention_reason="Keyed hashes only: what keeps a restored backup from bringing "
        "erased or objecting people back.",
        purpose="Apply erasures and objections again after a backup is restored.",
        reason="Keyed hashes only; what keeps a restored backup from bringing people back.",
        personal=(PersonalField("identity_hmacs", Category.KEYED_HASH),),
        not_personal={
            "entry_id": "a hash of the entry",
            "reason": "why",
            "erase": "a flag",
            "recorded_at": "a time",
        },
    ),
    CollectionEntry(
        ApiKey,
        subject_path=None,
        on_erasure=OnErasure.KEEP,
        retention=(Retention.KEEP,),
        retention_reason="A key's label lasts as long as the key; staff data, not a subject's.",
        purpose="Authenticate callers.",
        reason="A key's label may name the employee it was made for, not a subject.",
        personal=(PersonalField("label", Category.STAFF),),
        not_personal={
            "token_hash": "SHA-256 of a random token",
            "prefix": "the token's first characters, random",
            "role": "the key's role",
            "survey_keys": "surveys the key may use",
            "created_at": "a time",
            "revoked_at": "a time",
        },
    ),
    CollectionEntry(
        ConsoleMember,
        subject_path=None,
        on_erasure=OnErasure.KEEP,
        retention=(Retention.KEEP,),
        retention_reason="Lasts while an admin lets the employee or group into the console.",
        purpose="Let employees into the console with a role.",
        reason="Employees' Slack ids, not the people giving feedback.",
        personal=(
            PersonalField("slack_id", Category.STAFF),
            PersonalField("added_by", Category.STAFF),
        ),
        not_personal={"role": "the role given", "added_at": "a time"},
    ),
    CollectionEntry(
        ConsoleSession,
        subject_path=None,
        on_erasure=OnErasure.KEEP,
        retention=(Retention.EXPIRES,),
        retention_reason="Deleted by the database when the session ends (idle or absolute "
        "timeout) or at sign-out.",
        purpose="Keep an employee signed in to the console.",
        reason="Employees' sessions, not the people giving feedback.",
        personal=(
            PersonalField("subject", Category.STAFF),
            PersonalField("name", Category.STAFF),
        ),
        not_personal={
            "token_hash": "SHA-256 of a random token",
            "kind": "how they signed in",
            "role": "the role of the session",
            "csrf_token": "a random token",
            "created_at": "a time",
            "last_seen_at": "a time",
            "expires_at": "a time",
        },
    ),
    CollectionEntry(
        Survey,
        subject_path=None,
        on_erasure=OnErasure.KEEP,
        purpose="The surveys.",
        personal=(),
        not_personal={
            "key": "a survey key",
            "metric": "the metric",
            "product": "the product surveyed",
            "texts.locale": "survey text",
            "texts.question": "survey text",
            "texts.follow_up": "survey text",
            "texts.thank_you": "survey text",
            "default_locale": "survey setting",
            "channels": "survey setting",
            "status": "survey setting",
            "contact_rules.days_after_answer": "survey setting",
            "contact_rules.days_after_decline": "survey setting",
            "contact_rules.max_displays_without_answer": "survey setting",
            "contact_rules.min_days_between_displays": "survey setting",
            "contact_rules.sampling_percent": "survey setting",
            "contact_rules.min_logins": "survey setting",
            "contact_rules.min_days_since_first_seen": "survey setting",
            "created_at": "a time",
            "updated_at": "a time",
        },
    ),
    CollectionEntry(
        RoutingRule,
        subject_path=None,
        on_erasure=OnErasure.KEEP,
        purpose="Route follow-ups to Slack channels.",
        personal=(),
        not_personal={
            "name": "a rule's name, set by an admin",
            "priority": "rule order",
            "match.survey_key": "a survey key",
            "match.product": "a product",
            "match.metric": "a metric",
            "match.score_min": "a score",
            "match.score_max": "a score",
            "match.country": "a country code, not a person's",
            "match.theme": "a theme's key, set by an admin",
            "channel_id": "a Slack channel id",
            "reply_to": "a team's address for answers to replies, set by an admin; "
            "not about the people giving feedback",
            "reminders.unclaimed_after_minutes": "a setting",
            "reminders.unresolved_after_minutes": "a setting",
            "reminders.on_call_group_id": "a Slack user group id",
            "reminders.escalation_channel_id": "a Slack channel id",
            "reminders.business_hours.time_zone": "a setting",
            "reminders.business_hours.days": "a setting",
            "reminders.business_hours.start": "a setting",
            "reminders.business_hours.end": "a setting",
            "created_at": "a time",
            "updated_at": "a time",
        },
    ),
    CollectionEntry(
        Theme,
        subject_path=None,
        on_erasure=OnErasure.KEEP,
        purpose="Say what comments are about: themes and their match rules.",
        personal=(),
        not_personal={
            "key": "a theme's key, set by an admin",
            "name": "a theme's name, set by an admin",
            "name_folded": "the same name case-folded",
            "description": "an admin's description of the theme",
            "rules.language": "a language code",
            "rules.terms": "words and phrases an admin wrote, not taken from comments",
            "rules.exclusions": "words and phrases an admin wrote, not taken from comments",
            "version": "a counter of rule changes",
            "created_at": "a time",
            "updated_at": "a time",
        },
    ),
    CollectionEntry(
        ThemeJob,
        subject_path=None,
        on_erasure=OnErasure.KEEP,
        purpose="Re-tag past comments after a change of the themes, with its progress.",
        reason="Counts and ids of responses, not of people; no comment or tag.",
        personal=(),
        not_personal={
            "theme": "a theme's key, set by an admin",
            "change": "created, updated or deleted",
            "catalog.key": "a theme's key, set by an admin",
            "catalog.version": "a counter of rule changes",
            "status": "the job's state",
            "total": "a count",
            "processed": "a count",
            "changed": "a count",
            "last_response_id": "the id of a response, not of a person",
            "until_response_id": "the id of a response, not of a person",
            "error": "an error class name",
            "created_at": "a time",
            "started_at": "a time",
            "finished_at": "a time",
        },
    ),
    CollectionEntry(
        RoutingDefaults,
        subject_path=None,
        on_erasure=OnErasure.KEEP,
        purpose="Route follow-ups to Slack channels.",
        personal=(),
        not_personal={
            "key": "a constant",
            "default_channel_id": "a Slack channel id",
            "escalation_channel_id": "a Slack channel id",
            "reminders.unclaimed_after_minutes": "a setting",
            "reminders.unresolved_after_minutes": "a setting",
            "reminders.on_call_group_id": "a Slack user group id",
            "reminders.escalation_channel_id": "a Slack channel id",
            "reminders.business_hours.time_zone": "a setting",
            "reminders.business_hours.days": "a setting",
            "reminders.business_hours.start": "a setting",
            "reminders.business_hours.end": "a setting",
            "updated_at": "a time",
        },
    ),
    CollectionEntry(
        OutboxPause,
        subject_path=None,
        on_erasure=OnErasure.KEEP,
        purpose="Respect Slack's rate limits.",
        personal=(),
        not_personal={"channel": "a channel id", "until": "a time"},
    ),
    *(
        CollectionEntry(
            model,
            subject_path=None,
            on_erasure=OnErasure.KEEP,
            purpose=f"Analytics: counters per {grain}, survey and customer dimensions.",
            personal=(),
            not_personal={**ROLLUP_FIELDS, time_field: "a time bucket"},
        )
        for model, grain, time_field in (
            (DailyRollup, "day", "day"),
            (HourlyRollup, "hour", "hour"),
            (SlotRollup, "quarter-hour", "slot"),
        )
    ),
    *(
        CollectionEntry(
            model,
            subject_path=None,
            on_erasure=OnErasure.KEEP,
            purpose=f"Analytics: theme mentions per {grain}, survey and customer dimensions.",
            personal=(),
            not_personal={**THEME_ROLLUP_FIELDS, time_field: "a time bucket"},
        )
        for model, grain, time_field in (
            (ThemeDailyRollup, "day", "day"),
            (ThemeHourlyRollup, "hour", "hour"),
            (ThemeSlotRollup, "quarter-hour", "slot"),
        )
    ),
    CollectionEntry(
        RollupChange,
        subject_path=None,
        on_erasure=OnErasure.KEEP,
        purpose="Analytics: changes to the rollups waiting to be added to them.",
        reason="Counters over customer dimensions naming a response or display by id "
        "only; deleted once added to the rollups, within seconds.",
        personal=(),
        not_personal={
            **{name: ROLLUP_FIELDS[name] for name in ROLLUP_FIELDS if name != "detail"},
            "theme": "the key of the theme a response's comment mentions, if any",
            "mentions": "a count",
            "record_type": "whether it counts a display or a response",
            "record": "the id of a response or display, not of a person",
            "at": "a time",
            "slot": "a time bucket",
        },
    ),
    CollectionEntry(
        LiveEvent,
        subject_path=None,
        on_erasure=OnErasure.KEEP,
        purpose="Live events: which new score, comment or decline to announce to "
        "dashboards, and which follow-up changed, for the console's live pages.",
        reason="Names a response, display or follow-up by id only, and expires after an hour.",
        personal=(),
        not_personal={
            "kind": "score, comment, decline or follow-up change",
            "record_id": "the id of a response, display or follow-up, not of a person",
            "at": "a time",
        },
    ),
    CollectionEntry(
        RightsRequest,
        subject_path="subject.user_id",
        email_path="subject.email",
        on_erasure=OnErasure.ANONYMISE,
        retention=(Retention.AFTER_CLOSURE,),
        retention_reason="The record of a rights request and what was done about it, "
        "kept to account for it (GDPR Art. 5(2)); erasure anonymises it, and so does "
        "retention 3 years after it was closed (the keyed hashes and the outcome stay).",
        purpose="Handle data-subject rights requests.",
        reason="The request stays as the record of what was done, with keyed hashes.",
        personal=(
            PersonalField("subject.user_id", Category.IDENTIFIER),
            PersonalField("subject.email", Category.CONTACT, Rectifies.EMAIL),
            PersonalField("corrections.email", Category.CONTACT),
            PersonalField("confirmed_user_ids", Category.IDENTIFIER),
            PersonalField("confirmed_emails", Category.CONTACT),
            PersonalField("identity_confirmations.reason", Category.FEEDBACK, free_text=True),
            PersonalField("identity_confirmations.identity_hmacs", Category.KEYED_HASH),
            PersonalField("corrections.username", Category.IDENTIFIER),
            PersonalField("corrections.company", Category.CUSTOMER),
            PersonalField("corrections.country", Category.CUSTOMER),
            PersonalField("message", Category.FEEDBACK, free_text=True),
            PersonalField("verification_note", Category.FEEDBACK, free_text=True),
            PersonalField("subject_hmacs", Category.KEYED_HASH),
        ),
        anonymised={
            "subject": {"user_id": None, "email": None},
            "corrections": None,
            "confirmed_user_ids": [],
            "confirmed_emails": [],
            "identity_confirmations": [],
            "message": None,
            "verification_note": None,
        },
        not_personal={
            "type": "the right exercised",
            "status": "the request's state",
            "received_at": "a time",
            "due_on": "a date",
            "extended": "a flag",
            "extension_reason": "the officer's reason, about the deadline",
            "verification": "how identity was verified",
            "verification_sent_at": "a time",
            "verification_failures": "a counter",
            "locked": "a flag",
            "handled_by": "an API key id",
            "history.status": "a state",
            "history.at": "a time",
            "history.by": "an API key id",
            "history.reason": "the officer's reason for a state change",
            "identity_confirmations.at": "a time",
            "identity_confirmations.by": "an API key id",
            "outcome": "counts per collection",
            "executed_at": "a time",
            "restriction_active": "a flag",
            "subject_notified_at": "when the person was told, no identity",
            "restriction_lifted_at": "a time",
            "subject_notice_outbox_id": "an outbox message id",
            "locale": "a language tag",
            "messages.kind": "the kind of message sent to the person",
            "messages.at": "a time",
            "messages.outbox_id": "an outbox message id",
            "messages.undeliverable": "a reason code",
        },
    ),
    CollectionEntry(
        PrivacyExport,
        subject_path=None,
        on_erasure=OnErasure.DELETE,
        retention=(Retention.EXPIRES,),
        purpose="Handle data-subject rights requests.",
        reason="A delivery, not an archive: deleted once every format was downloaded, "
        "or HUB_EXPORT_KEEP_HOURS after execution (a TTL index and an explicit purge). "
        "Found by the keyed hashes of the person it is about, not by user id: erasure "
        "and rectification delete the person's own exports and rewrite others that "
        "quote them (PrivacyExports.withdraw).",
        personal=(
            PersonalField("data", Category.FEEDBACK, free_text=True),
            PersonalField("subject_hmacs", Category.KEYED_HASH),
        ),
        not_personal={
            "request_id": "the id of a rights request",
            "kind": "ACCESS or PORTABILITY",
            "formats": "the formats not downloaded yet",
            "created_at": "a time",
            "expires_at": "a time",
        },
    ),
    CollectionEntry(
        AuditEntry,
        subject_path=None,
        on_erasure=OnErasure.KEEP,
        retention=(Retention.KEEP,),
        retention_reason="Append-only and chained; ids, keyed hashes and staff roles only.",
        purpose="Account for every privacy operation.",
        reason="Ids and keyed hashes only; append-only by design.",
        personal=(
            PersonalField("subject_hmacs", Category.KEYED_HASH),
            PersonalField("actor.label", Category.STAFF),
        ),
        not_personal={
            "seq": "a counter",
            "at": "a time",
            "actor.key_id": "an API key id",
            "actor.role": "a role",
            "action": "what was done",
            "target_ids": "document ids",
            "details": "counts and settings, never identity",
            "previous_hash": "a hash",
            "hash": "a hash",
        },
    ),
    CollectionEntry(
        AuditHead,
        subject_path=None,
        on_erasure=OnErasure.KEEP,
        purpose="Account for every privacy operation.",
        personal=(),
        not_personal={"key": "a constant", "seq": "a counter", "hash": "a hash"},
    ),
    CollectionEntry(
        SurveyRetention,
        subject_path=None,
        on_erasure=OnErasure.KEEP,
        purpose="Retention settings.",
        personal=(),
        not_personal={"survey_key": "a survey key", "days": "a setting"},
    ),
    CollectionEntry(
        JobLease,
        subject_path=None,
        on_erasure=OnErasure.KEEP,
        purpose="Run periodic jobs once.",
        personal=(),
        not_personal={
            "owner": "a random process id",
            "expires_at": "a time",
            "next_run_at": "a time",
            "last_run_at": "a time",
            "last_owner": "a random process id",
            "last_error": "an error class name",
            "runs": "a count",
        },
    ),
    CollectionEntry(
        SlackRequestSeen,
        subject_path=None,
        on_erasure=OnErasure.KEEP,
        purpose="Handle Slack's retries once.",
        personal=(),
        not_personal={"key": "a Slack event or trigger id", "seen_at": "a time"},
    ),
    CollectionEntry(
        SchemaMigration,
        subject_path=None,
        on_erasure=OnErasure.KEEP,
        purpose="Run one-time migrations of stored data once.",
        personal=(),
        not_personal={
            "version": "a number",
            "ran_at": "a time",
            "changed": "counts per collection",
        },
    ),
)


def entry_for(model: type[Document]) -> CollectionEntry:
    for entry in REGISTRY:
        if entry.model is model:
            return entry
    raise KeyError(model.__name__)


def subject_entries() -> list[CollectionEntry]:
    """The collections with documents about the people giving feedback."""
    return [entry for entry in REGISTRY if entry.subject_path is not None]
