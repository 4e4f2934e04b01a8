from typing import Annotated

import strawberry

from graphql_schema.context import Context
from graphql_schema.errors import (
    ConflictError,
    NotFoundError,
    ValidationError,
    mutation,
    query,
)
from graphql_schema.followups.connections import FollowUpConnection
from graphql_schema.followups.permissions import IsAgent
from graphql_schema.followups.types import (
    CreateRoutingRuleInput,
    FollowUp,
    FollowUpStatus,
    ReminderPolicyInput,
    RoutingDefaults,
    RoutingRule,
    UpdateRoutingRuleInput,
    actor_id_of,
)
from graphql_schema.permissions import IsAdmin
from hub.models.common import Role
from hub.models.followup import Actor
from hub.models.routing import ReminderPolicy, RoutingMatch
from hub.services.followups.handover import slack_user_of
from hub.services.followups.routing import RuleChanges, RuleDraft
from hub.services.platform import validation

MAX_KEY_LENGTH = 200

FollowUpResult = Annotated[
    FollowUp | ValidationError | NotFoundError | ConflictError,
    strawberry.union("FollowUpResult"),
]
RoutingRuleResult = Annotated[
    RoutingRule | ValidationError | NotFoundError,
    strawberry.union("RoutingRuleResult"),
]
RoutingDefaultsResult = Annotated[
    RoutingDefaults | ValidationError, strawberry.union("RoutingDefaultsResult")
]


def _actor(info: strawberry.Info[Context]) -> Actor:
    principal = info.context.principal
    assert principal is not None  # the permission class ran first
    actor_id = actor_id_of(info.context)
    assert actor_id is not None
    return Actor(id=actor_id, name=principal.label)


def _is_admin(info: strawberry.Info[Context]) -> bool:
    principal = info.context.principal
    return principal is not None and principal.role is Role.ADMIN


@strawberry.type
class FollowUpQuery:
    @query(
        permission_classes=[IsAgent],
        description="Follow-ups, oldest first (`newestFirst`: newest first). `claimedBy` "
        "is an actor id (`slack:<user id>` or `key:<api key id>`); `mine` is the caller's "
        "own claims.",
    )
    async def follow_ups(
        self,
        info: strawberry.Info[Context],
        status: FollowUpStatus | None = None,
        claimed_by: str | None = None,
        mine: bool = False,
        first: int = 50,
        after: str | None = None,
        newest_first: bool = False,
    ) -> FollowUpConnection:
        services = info.context.services
        if mine:
            claimed_by = actor_id_of(info.context)
        page = await services.follow_ups.page_follow_ups(
            services.settings.max_page_size, status, claimed_by, first, after, newest_first
        )
        return FollowUpConnection.from_page(page, FollowUp.from_document)

    @query(
        permission_classes=[IsAgent],
        description="Null when there is no such follow-up.",
        missing_is_null=True,
    )
    async def follow_up(self, info: strawberry.Info[Context], id: strawberry.ID) -> FollowUp | None:
        found = await info.context.services.follow_ups.get(str(id))
        return FollowUp.from_document(found)

    @strawberry.field(permission_classes=[IsAdmin], description="By priority, lowest first.")
    async def routing_rules(self, info: strawberry.Info[Context]) -> list[RoutingRule]:
        rules = await info.context.services.routing.rules()
        return [RoutingRule.from_document(rule) for rule in rules]

    @strawberry.field(permission_classes=[IsAdmin])
    async def routing_defaults(self, info: strawberry.Info[Context]) -> RoutingDefaults:
        return RoutingDefaults.from_document(await info.context.services.routing.defaults())


@strawberry.type
class FollowUpMutation:
    @mutation(
        permission_classes=[IsAgent],
        description="Claim an open follow-up. Of simultaneous claims exactly one wins; "
        "the others get ALREADY_CLAIMED. The Slack message follows.",
    )
    async def claim_follow_up(
        self, info: strawberry.Info[Context], id: strawberry.ID
    ) -> FollowUpResult:
        found = await info.context.services.follow_ups.claim(str(id), _actor(info))
        return FollowUp.from_document(found)

    @mutation(permission_classes=[IsAgent], description="Hand a claim back (claimer or admin).")
    async def unclaim_follow_up(
        self, info: strawberry.Info[Context], id: strawberry.ID
    ) -> FollowUpResult:
        found = await info.context.services.follow_ups.unclaim(
            str(id), _actor(info), _is_admin(info)
        )
        return FollowUp.from_document(found)

    @mutation(
        permission_classes=[IsAgent],
        description="Resolve with a note and whether the customer was told. An open "
        "follow-up may be resolved by any agent; a claimed one by its claimer or an admin.",
    )
    async def resolve_follow_up(
        self,
        info: strawberry.Info[Context],
        id: strawberry.ID,
        note: str,
        customer_informed: bool,
    ) -> FollowUpResult:
        found = await info.context.services.follow_ups.resolve(
            str(id), _actor(info), note, customer_informed, _is_admin(info)
        )
        return FollowUp.from_document(found)

    @mutation(
        permission_classes=[IsAgent],
        description="Hand a follow-up to another Slack user (`to`: `slack:<user id>`), "
        "or back to the queue (`to` null or left out). An open follow-up may be handed by any "
        "agent; a claimed one by its claimer or an admin. Announced in the Slack "
        "message's thread.",
    )
    async def reassign_follow_up(
        self, info: strawberry.Info[Context], id: strawberry.ID, to: str | None = None
    ) -> FollowUpResult:
        services = info.context.services
        target = None if to is None else await services.slack.actor_of(slack_user_of(to))
        found = await services.handover.reassign(str(id), _actor(info), target, _is_admin(info))
        return FollowUp.from_document(found)

    @mutation(
        permission_classes=[IsAgent],
        description="Put a resolved follow-up back in the queue with a reason (at most "
        "3000 characters); INVALID_TRANSITION when it is not resolved. Its last "
        "resolution stays readable.",
    )
    async def reopen_follow_up(
        self, info: strawberry.Info[Context], id: strawberry.ID, reason: str
    ) -> FollowUpResult:
        found = await info.context.services.handover.reopen(str(id), _actor(info), reason)
        return FollowUp.from_document(found)

    @mutation(
        permission_classes=[IsAgent],
        description="E-mail the customer of a follow-up the caller has claimed, in the "
        "language of the survey they answered, with the Reply-To of the routing rule; the "
        "reply is recorded on the follow-up, which then counts as customer informed. "
        "Refused (CONTACT_OBJECTED, CONTACT_RESTRICTED, CONTACT_ERASED, NO_EMAIL_ADDRESS) "
        "when the privacy rules forbid contact, and for anyone but the claimer "
        "(NOT_CLAIMER). Sent once per `idempotencyKey` (without one: once per text): "
        "a retried call answers the follow-up and sends nothing again.",
    )
    async def reply_to_customer(
        self,
        info: strawberry.Info[Context],
        follow_up_id: strawberry.ID,
        text: str,
        idempotency_key: str | None = None,
    ) -> FollowUpResult:
        key = validation.clean_text(idempotency_key, "idempotencyKey", MAX_KEY_LENGTH)
        found = await info.context.services.replies.send(
            str(follow_up_id), _actor(info), text, f"api:{key}" if key else None
        )
        return FollowUp.from_document(found)

    @mutation(permission_classes=[IsAdmin])
    async def create_routing_rule(
        self, info: strawberry.Info[Context], input: CreateRoutingRuleInput
    ) -> RoutingRuleResult:
        draft = RuleDraft(
            name=input.name,
            channel_id=input.channel_id,
            priority=input.priority,
            match=input.match.to_model() if input.match else RoutingMatch(),
            reply_to=input.reply_to,
            reminders=input.reminders.to_model() if input.reminders else ReminderPolicy(),
        )
        rule = await info.context.services.routing.create_rule(draft)
        return RoutingRule.from_document(rule)

    @mutation(permission_classes=[IsAdmin])
    async def update_routing_rule(
        self, info: strawberry.Info[Context], id: strawberry.ID, input: UpdateRoutingRuleInput
    ) -> RoutingRuleResult:
        changes = RuleChanges(
            name=input.name,
            channel_id=input.channel_id,
            priority=input.priority,
            match=input.match.to_model() if input.match else None,
            reply_to=input.reply_to,
            reminders=input.reminders.to_model() if input.reminders else None,
        )
        rule = await info.context.services.routing.update_rule(str(id), changes)
        return RoutingRule.from_document(rule)

    @mutation(permission_classes=[IsAdmin])
    async def delete_routing_rule(
        self, info: strawberry.Info[Context], id: strawberry.ID
    ) -> RoutingRuleResult:
        rule = await info.context.services.routing.delete_rule(str(id))
        return RoutingRule.from_document(rule)

    @mutation(
        permission_classes=[IsAdmin],
        description="Set both the default and the escalation channel; null or "
        "leaving one out clears it. `reminders`, when given, replaces the reminder "
        "policy of follow-ups that no rule matched; left out, it is kept.",
    )
    async def set_routing_defaults(
        self,
        info: strawberry.Info[Context],
        default_channel_id: str | None = None,
        escalation_channel_id: str | None = None,
        reminders: ReminderPolicyInput | None = None,
    ) -> RoutingDefaultsResult:
        defaults = await info.context.services.routing.set_defaults(
            default_channel_id,
            escalation_channel_id,
            reminders.to_model() if reminders is not None else None,
        )
        return RoutingDefaults.from_document(defaults)
