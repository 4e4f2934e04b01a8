from datetime import datetime
from typing import Self, TypeAlias

import strawberry

from graphql_schema.context import Context
from graphql_schema.enums import Metric
from graphql_schema.followups.permissions import IsAgent
from graphql_schema.widget.types import Response
from hub.models import followup as model
from hub.models import routing as routing_model
from hub.models.common import Role
from hub.models.followup import FollowUpStatus as FollowUpStatusModel
from hub.models.followup import PostKind as PostKindModel
from hub.services.access import roles as access

FollowUpStatus: TypeAlias = FollowUpStatusModel
strawberry.enum(FollowUpStatus, name="FollowUpStatus")
SlackPostKind: TypeAlias = PostKindModel
strawberry.enum(SlackPostKind, name="SlackPostKind")


def actor_id_of(context: Context) -> str | None:
    """How the caller is recorded as a claimer: `key:<api key id>`, or `slack:<user id>`
    for someone signed in to the console with Slack."""
    return context.principal.actor_id if context.principal else None


@strawberry.type(description="Who claimed or resolved: `slack:<user id>` or `key:<api key id>`.")
class Actor:
    id: str
    name: str

    @classmethod
    def from_document(cls, actor: model.Actor) -> Self:
        return cls(id=actor.id, name=actor.name)


@strawberry.type
class Resolution:
    by: Actor
    note: str
    customer_informed: bool
    resolved_at: datetime


@strawberry.type(description="An e-mail the claimer sent the customer about the follow-up.")
class CustomerReply:
    by: Actor
    text: str = strawberry.field(
        description="What it said. For roles that see masked data, e-mail addresses, "
        "phone numbers, user ids and usernames are replaced by placeholders."
    )
    to: str | None = strawberry.field(
        description="The address it went to: shown to the claimer and to roles that may "
        "see personal data, null for everyone else."
    )
    language: str = strawberry.field(description="The language it was written for.")
    outbox_id: strawberry.ID = strawberry.field(
        description="The outbox message that delivers it (see `deliveries`)."
    )
    sent_at: datetime = strawberry.field(description="When it was queued for sending.")


@strawberry.type(description="Who put a resolved follow-up back in the queue, when and why.")
class Reopening:
    by: Actor
    reason: str
    reopened_at: datetime


@strawberry.type(
    description="An internal note: a reply an employee wrote in the thread of the "
    "follow-up's Slack message. For the people working the follow-up; never sent to "
    "the customer."
)
class FollowUpNote:
    id: strawberry.ID
    author: Actor
    text: str
    written_at: datetime


async def _shown(info: strawberry.Info[Context], text: str, follow_up: model.FollowUp) -> str:
    """Free text as the caller may read it: e-mail addresses, phone numbers, user ids
    and usernames replaced for roles that see masked data."""
    masked = await info.context.loaders.masked_text.load(text)
    principal = info.context.principal
    if masked != text and principal and access.may_see_personal_data(principal.role):
        info.context.reveal("follow_ups", str(follow_up.id))
        return text
    return masked


@strawberry.type(description="A Slack message about the follow-up.")
class SlackPost:
    channel_id: str
    ts: str
    kind: SlackPostKind
    posted_at: datetime


@strawberry.type(
    description="The customer's contact details: shown to the agent who claimed the "
    "follow-up (and to roles that may see personal data); masked for everyone else."
)
class FollowUpContact:
    user_id: str | None
    username: str | None
    email: str | None
    masked: bool


@strawberry.type(description="A commented response that someone should act on.")
class FollowUp:
    document: strawberry.Private[model.FollowUp]
    id: strawberry.ID
    status: FollowUpStatus
    survey_key: str
    metric: Metric
    score: int
    channels: list[str]
    claimed_at: datetime | None
    redacted: bool
    created_at: datetime

    @strawberry.field
    def claimed_by(self) -> Actor | None:
        actor = self.document.claimed_by
        return Actor.from_document(actor) if actor else None

    @strawberry.field(description="Who handed it to the claimer; null when they claimed it.")
    def assigned_by(self) -> Actor | None:
        actor = self.document.assigned_by
        return Actor.from_document(actor) if actor else None

    @strawberry.field(
        description="How it was last resolved (kept when it is reopened). For roles "
        "that see masked data, e-mail addresses, phone numbers, user ids and usernames "
        "in the note are replaced by placeholders."
    )
    async def resolution(self, info: strawberry.Info[Context]) -> Resolution | None:
        found = self.document.resolution
        if found is None:
            return None
        return Resolution(
            by=Actor.from_document(found.by),
            note=await _shown(info, found.note, self.document),
            customer_informed=found.customer_informed,
            resolved_at=found.resolved_at,
        )

    @strawberry.field(
        description="Whether the customer was told: by a reply from the hub, or as the "
        "resolution says."
    )
    def customer_informed(self) -> bool:
        resolution = self.document.resolution
        return self.document.customer_informed_at is not None or (
            resolution is not None and resolution.customer_informed
        )

    @strawberry.field(description="When the first reply was sent to the customer.")
    def customer_informed_at(self) -> datetime | None:
        return self.document.customer_informed_at

    @strawberry.field(
        description="The e-mails sent to the customer, oldest first; empty for a redacted "
        "follow-up (the person's data is restricted) unless the caller is a privacy officer."
    )
    async def customer_replies(self, info: strawberry.Info[Context]) -> list[CustomerReply]:
        principal = info.context.principal
        if principal is None or not self.document.customer_replies:
            return []
        if self.document.redacted and principal.role is not Role.PRIVACY_OFFICER:
            return []
        claimer = self.document.claimed_by
        is_claimer = claimer is not None and claimer.id == actor_id_of(info.context)
        unmasked = is_claimer or access.may_see_personal_data(principal.role)
        if unmasked:
            info.context.reveal("follow_ups", str(self.document.id))
        replies = []
        for reply in self.document.customer_replies:
            text = (
                reply.text if unmasked else await info.context.loaders.masked_text.load(reply.text)
            )
            replies.append(
                CustomerReply(
                    by=Actor.from_document(reply.by),
                    text=text,
                    to=reply.to if unmasked else None,
                    language=reply.locale,
                    outbox_id=strawberry.ID(reply.outbox_id),
                    sent_at=reply.sent_at,
                )
            )
        return replies

    @strawberry.field(
        description="The last reopening; the reason masked as the resolution's note is."
    )
    async def reopened(self, info: strawberry.Info[Context]) -> Reopening | None:
        found = self.document.reopened
        if found is None:
            return None
        return Reopening(
            by=Actor.from_document(found.by),
            reason=await _shown(info, found.reason, self.document),
            reopened_at=found.reopened_at,
        )

    @strawberry.field(
        permission_classes=[IsAgent],
        description="Internal notes, oldest first: what employees replied in the "
        "thread of the follow-up's Slack message. Masked as the resolution's note is.",
    )
    async def notes(self, info: strawberry.Info[Context]) -> list[FollowUpNote]:
        assert self.document.id is not None
        found = await info.context.loaders.notes_by_follow_up.load(self.document.id)
        return [
            FollowUpNote(
                id=strawberry.ID(str(note.id)),
                author=Actor.from_document(note.author),
                text=await _shown(info, note.text, self.document),
                written_at=note.written_at,
            )
            for note in found
        ]

    @strawberry.field
    def posts(self) -> list[SlackPost]:
        return [
            SlackPost(channel_id=p.channel_id, ts=p.ts, kind=p.kind, posted_at=p.posted_at)
            for p in self.document.posts
        ]

    @strawberry.field(
        description="The response, with the comment; null for a redacted follow-up "
        "(the person's data is restricted) unless the caller is a privacy officer."
    )
    async def response(self, info: strawberry.Info[Context]) -> Response | None:
        principal = info.context.principal
        officer = principal is not None and principal.role is Role.PRIVACY_OFFICER
        found = await info.context.loaders.response_by_id.load(self.document.response_id)
        if found is None or ((self.document.redacted or found.analytics_excluded) and not officer):
            return None
        return Response.from_document(found)

    @strawberry.field
    async def contact(self, info: strawberry.Info[Context]) -> FollowUpContact:
        masked = FollowUpContact(user_id=None, username=None, email=None, masked=True)
        principal = info.context.principal
        if principal is None or self.document.redacted:
            return masked
        response = await info.context.loaders.response_by_id.load(self.document.response_id)
        if response is None:
            return masked
        claimer = self.document.claimed_by
        is_claimer = claimer is not None and claimer.id == actor_id_of(info.context)
        if not is_claimer and not access.may_see_personal_data(principal.role):
            return masked
        info.context.reveal("follow_ups", str(self.document.id))
        user = response.user
        return FollowUpContact(
            user_id=user.id, username=user.username, email=user.email, masked=False
        )

    @classmethod
    def from_document(cls, follow_up: model.FollowUp) -> Self:
        return cls(
            document=follow_up,
            id=strawberry.ID(str(follow_up.id)),
            status=follow_up.status,
            survey_key=follow_up.survey_key,
            metric=follow_up.metric,
            score=follow_up.score,
            channels=list(follow_up.channels),
            claimed_at=follow_up.claimed_at,
            redacted=follow_up.redacted,
            created_at=follow_up.created_at,
        )


@strawberry.type(description="What a response must have for a rule to apply; null: anything.")
class RoutingMatch:
    survey_key: str | None
    product: str | None
    metric: Metric | None
    score_min: int | None
    score_max: int | None
    country: str | None
    theme: str | None = strawberry.field(
        description="A theme's key: the rule applies when the comment's themes include it."
    )


@strawberry.input
class RoutingMatchInput:
    survey_key: str | None = None
    product: str | None = None
    metric: Metric | None = None
    score_min: int | None = None
    score_max: int | None = None
    country: str | None = strawberry.field(default=None, description="ISO 3166-1 alpha-2.")
    theme: str | None = strawberry.field(
        default=None,
        description="A theme's key (see `themes`): the rule applies when the comment's "
        "themes include it. An unknown key is refused (NOT_FOUND).",
    )

    def to_model(self) -> routing_model.RoutingMatch:
        return routing_model.RoutingMatch(
            survey_key=self.survey_key,
            product=self.product,
            metric=self.metric,
            score_min=self.score_min,
            score_max=self.score_max,
            country=self.country,
            theme=self.theme,
        )


@strawberry.type(
    description="When reminder clocks run: from `start` to `end` (local HH:MM, the same "
    "day) on `days` (ISO weekdays, 1 Monday to 7 Sunday) in `timeZone` (IANA)."
)
class BusinessHours:
    time_zone: str
    days: list[int]
    start: str
    end: str


@strawberry.input
class BusinessHoursInput:
    time_zone: str = strawberry.field(description="IANA, like Europe/Berlin.")
    days: list[int] = strawberry.field(default_factory=lambda: [1, 2, 3, 4, 5])
    start: str = "09:00"
    end: str = "17:00"


@strawberry.type(
    description="How long a follow-up may wait before the hub replies in its Slack "
    "thread: unclaimed (mentioning the on-call user group), then claimed but unresolved "
    "(mentioning the claimer); detractors past either are also escalated. Null: no "
    "reminder. With business hours only time inside them counts, and nobody is pinged "
    "outside them."
)
class ReminderPolicy:
    unclaimed_after_minutes: int | None
    unresolved_after_minutes: int | None
    on_call_group_id: str | None = strawberry.field(
        description="A Slack user group id, like S0123ABCD."
    )
    escalation_channel_id: str | None = strawberry.field(
        description="Where detractors are escalated; null: the defaults' escalation channel."
    )
    business_hours: BusinessHours | None

    @classmethod
    def from_model(cls, policy: routing_model.ReminderPolicy) -> Self:
        hours = policy.business_hours
        return cls(
            unclaimed_after_minutes=policy.unclaimed_after_minutes,
            unresolved_after_minutes=policy.unresolved_after_minutes,
            on_call_group_id=policy.on_call_group_id,
            escalation_channel_id=policy.escalation_channel_id,
            business_hours=(
                BusinessHours(
                    time_zone=hours.time_zone, days=hours.days, start=hours.start, end=hours.end
                )
                if hours is not None
                else None
            ),
        )


@strawberry.input
class ReminderPolicyInput:
    unclaimed_after_minutes: int | None = strawberry.field(
        default=None, description="1 to 43200 (30 days)."
    )
    unresolved_after_minutes: int | None = strawberry.field(
        default=None, description="1 to 43200 (30 days)."
    )
    on_call_group_id: str | None = None
    escalation_channel_id: str | None = None
    business_hours: BusinessHoursInput | None = None

    def to_model(self) -> routing_model.ReminderPolicy:
        hours = self.business_hours
        return routing_model.ReminderPolicy(
            unclaimed_after_minutes=self.unclaimed_after_minutes,
            unresolved_after_minutes=self.unresolved_after_minutes,
            on_call_group_id=self.on_call_group_id,
            escalation_channel_id=self.escalation_channel_id,
            business_hours=(
                routing_model.BusinessHours(
                    time_zone=hours.time_zone, days=hours.days, start=hours.start, end=hours.end
                )
                if hours is not None
                else None
            ),
        )


@strawberry.type(
    description="Sends matching follow-ups to a Slack channel. Rules are tried by "
    "priority, lowest first; the first that matches wins."
)
class RoutingRule:
    id: strawberry.ID
    name: str
    priority: int
    channel_id: str
    match: RoutingMatch
    reply_to: str | None = strawberry.field(
        description="The Reply-To of the e-mails sent to customers from the follow-ups "
        "it routes; null: the hub's sender address."
    )
    reminders: ReminderPolicy
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_document(cls, rule: routing_model.RoutingRule) -> Self:
        match = rule.match
        return cls(
            id=strawberry.ID(str(rule.id)),
            name=rule.name,
            priority=rule.priority,
            channel_id=rule.channel_id,
            match=RoutingMatch(
                survey_key=match.survey_key,
                product=match.product,
                metric=match.metric,
                score_min=match.score_min,
                score_max=match.score_max,
                country=match.country,
                theme=match.theme,
            ),
            reply_to=rule.reply_to,
            reminders=ReminderPolicy.from_model(rule.reminders),
            created_at=rule.created_at,
            updated_at=rule.updated_at,
        )


@strawberry.input
class CreateRoutingRuleInput:
    name: str
    channel_id: str = strawberry.field(description="A Slack channel id, like C0123ABCD.")
    priority: int = 100
    match: RoutingMatchInput | None = None
    reply_to: str | None = strawberry.field(
        default=None,
        description="Where customers' answers to replies go (an e-mail address, e.g. a "
        "team's shared inbox).",
    )
    reminders: ReminderPolicyInput | None = None


@strawberry.input
class UpdateRoutingRuleInput:
    name: str | None = None
    channel_id: str | None = None
    priority: int | None = None
    match: RoutingMatchInput | None = strawberry.field(
        default=None, description="Replaces the whole match when given."
    )
    reply_to: str | None = strawberry.field(
        default=None, description="A new Reply-To address; an empty string clears it."
    )
    reminders: ReminderPolicyInput | None = strawberry.field(
        default=None, description="Replaces the whole reminder policy when given."
    )


@strawberry.type(
    description="Where follow-ups go that no rule matches, and the escalation channel "
    "that also gets every detractor (NPS 0-6, CSAT 1-2, CES 1-3)."
)
class RoutingDefaults:
    default_channel_id: str | None
    escalation_channel_id: str | None
    reminders: ReminderPolicy = strawberry.field(
        description="For follow-ups that no rule matched, or whose rule was deleted."
    )

    @classmethod
    def from_document(cls, defaults: routing_model.RoutingDefaults) -> Self:
        return cls(
            default_channel_id=defaults.default_channel_id,
            escalation_channel_id=defaults.escalation_channel_id,
            reminders=ReminderPolicy.from_model(defaults.reminders),
        )
