"""Routing rules: which Slack channel a follow-up goes to."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from beanie import PydanticObjectId
from cachetools import TTLCache

from hub.clock import Clock
from hub.errors import ErrorCode, NotFound, ValidationFailed
from hub.models.response import Response
from hub.models.routing import ReminderPolicy, RoutingDefaults, RoutingMatch, RoutingRule
from hub.services.analytics.bands import is_detractor
from hub.services.followups import business_hours
from hub.services.followups.stores import routing_defaults
from hub.services.platform import validation
from hub.services.themes.catalog import ThemeCatalog
from hub.services.themes.tags_for import tags_for, theme_keys

_CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]{2,30}$")
_USER_GROUP_ID = re.compile(r"^S[A-Z0-9]{2,30}$")
MAX_REMINDER_MINUTES = 30 * 24 * 60


def channel_id(value: str | None, field: str) -> str | None:
    """A Slack conversation id (C…, G… or D…), or None."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    if not _CHANNEL_ID.match(value):
        raise ValidationFailed(
            ErrorCode.INVALID_INPUT, "A Slack channel id looks like C0123ABCD.", field
        )
    return value


def reminder_policy(policy: ReminderPolicy, field: str) -> ReminderPolicy:
    """The policy with its parts checked, or ValidationFailed naming the faulty one."""
    for name, minutes in (
        ("unclaimedAfterMinutes", policy.unclaimed_after_minutes),
        ("unresolvedAfterMinutes", policy.unresolved_after_minutes),
    ):
        if minutes is not None and not 1 <= minutes <= MAX_REMINDER_MINUTES:
            raise ValidationFailed(
                ErrorCode.INVALID_INPUT,
                f"A reminder comes after 1 to {MAX_REMINDER_MINUTES} minutes (30 days).",
                f"{field}.{name}",
            )
    group = (policy.on_call_group_id or "").strip() or None
    if group is not None and not _USER_GROUP_ID.match(group):
        raise ValidationFailed(
            ErrorCode.INVALID_INPUT,
            "A Slack user group id looks like S0123ABCD.",
            f"{field}.onCallGroupId",
        )
    hours = policy.business_hours
    return ReminderPolicy(
        unclaimed_after_minutes=policy.unclaimed_after_minutes,
        unresolved_after_minutes=policy.unresolved_after_minutes,
        on_call_group_id=group,
        escalation_channel_id=channel_id(
            policy.escalation_channel_id, f"{field}.escalationChannelId"
        ),
        business_hours=(
            business_hours.cleaned(hours, f"{field}.businessHours") if hours is not None else None
        ),
    )


@dataclass(frozen=True)
class Route:
    """Where a follow-up goes: the routed channel then the escalation channel (either
    may be missing), and the rule that matched (None: the defaults)."""

    channels: list[str]
    rule_id: PydanticObjectId | None


def matches(match: RoutingMatch, response: Response, themes: Collection[str]) -> bool:
    """Whether the rule's match applies to the response, whose comment has the theme
    keys `themes`."""
    return (
        (match.survey_key is None or match.survey_key == response.survey_key)
        and (match.product is None or match.product == response.product)
        and (match.metric is None or match.metric is response.metric)
        and (match.score_min is None or response.score >= match.score_min)
        and (match.score_max is None or response.score <= match.score_max)
        and (match.country is None or match.country == response.customer.country)
        and (match.theme is None or match.theme in themes)
    )


@dataclass
class RuleDraft:
    name: str
    channel_id: str
    priority: int = 100
    match: RoutingMatch = field(default_factory=RoutingMatch)
    reply_to: str | None = None
    reminders: ReminderPolicy = field(default_factory=ReminderPolicy)


@dataclass
class RuleChanges:
    name: str | None = None
    channel_id: str | None = None
    priority: int | None = None
    match: RoutingMatch | None = None
    reply_to: str | None = None  # an empty string clears it
    reminders: ReminderPolicy | None = None


class RoutingService:
    """Admin-managed rules, and the choice of channels for a response. A rule may
    match on a theme: the response's tags (`tags_for`: computed from the comment when
    it is routed, before the tagger stores the same tags) must include it."""

    def __init__(self, clock: Clock, themes: ThemeCatalog, cache_seconds: float = 5.0) -> None:
        self.clock = clock
        self.themes = themes
        # Every comment is routed; rules change rarely. As with surveys, a change made
        # in this process is seen at once, one made by another process within seconds.
        self._table: TTLCache[str, tuple[list[RoutingRule], RoutingDefaults]] = TTLCache(
            maxsize=1, ttl=cache_seconds
        )

    async def _routing_table(self) -> tuple[list[RoutingRule], RoutingDefaults]:
        """The rules in order and the defaults, as `route` reads them (cached)."""
        table = self._table.get("table")
        if table is None:
            table = (await self.rules(), await self.defaults())
            self._table["table"] = table
        return table

    async def _theme_key(self, key: str | None) -> str | None:
        """A theme key that names a theme (read afresh, not from the cache), or None."""
        if key is None or not key.strip():
            return None
        key = key.strip()
        if key not in {theme.key for theme in await self.themes.themes()}:
            raise NotFound("Theme", "match.theme")
        return key

    async def _clean_match(self, match: RoutingMatch) -> RoutingMatch:
        low = match.score_min
        high = match.score_max
        for value, name in ((low, "scoreMin"), (high, "scoreMax")):
            if value is not None and not 0 <= value <= 10:
                raise ValidationFailed(
                    ErrorCode.SCORE_OUT_OF_RANGE, "Scores are from 0 to 10.", f"match.{name}"
                )
        if low is not None and high is not None and low > high:
            raise ValidationFailed(
                ErrorCode.INVALID_INPUT, "scoreMin is above scoreMax.", "match.scoreMin"
            )
        return RoutingMatch(
            survey_key=(
                validation.survey_key(match.survey_key, "match.surveyKey")
                if match.survey_key is not None
                else None
            ),
            product=validation.clean_text(match.product, "match.product"),
            metric=match.metric,
            score_min=low,
            score_max=high,
            country=validation.country(match.country, "match.country"),
            theme=await self._theme_key(match.theme),
        )

    async def create_rule(self, draft: RuleDraft) -> RoutingRule:
        now = self.clock.now()
        channel = channel_id(draft.channel_id, "channelId")
        if channel is None:
            raise ValidationFailed(ErrorCode.INVALID_INPUT, "A channel id is needed.", "channelId")
        rule = RoutingRule(
            name=validation.required_text(draft.name, "name"),
            priority=draft.priority,
            match=await self._clean_match(draft.match),
            channel_id=channel,
            reply_to=validation.email(draft.reply_to, "replyTo"),
            reminders=reminder_policy(draft.reminders, "reminders"),
            created_at=now,
            updated_at=now,
        )
        await rule.insert()
        self._table.clear()
        return rule

    async def _rule(self, rule_id: str) -> RoutingRule:
        rule = (
            await RoutingRule.get(PydanticObjectId(rule_id))
            if PydanticObjectId.is_valid(rule_id)
            else None
        )
        if rule is None:
            raise NotFound("Routing rule", "id")
        return rule

    async def update_rule(self, rule_id: str, changes: RuleChanges) -> RoutingRule:
        rule = await self._rule(rule_id)
        update: dict[str, Any] = {"updated_at": self.clock.now()}
        if changes.name is not None:
            update["name"] = validation.required_text(changes.name, "name")
        if changes.channel_id is not None:
            channel = channel_id(changes.channel_id, "channelId")
            if channel is None:
                raise ValidationFailed(
                    ErrorCode.INVALID_INPUT, "A channel id is needed.", "channelId"
                )
            update["channel_id"] = channel
        if changes.priority is not None:
            update["priority"] = changes.priority
        if changes.match is not None:
            update["match"] = await self._clean_match(changes.match)
        if changes.reply_to is not None:
            update["reply_to"] = validation.email(changes.reply_to, "replyTo")
        if changes.reminders is not None:
            update["reminders"] = reminder_policy(changes.reminders, "reminders")
        updated: RoutingRule = rule.model_copy(update=update)
        await updated.save()
        self._table.clear()
        return updated

    async def delete_rule(self, rule_id: str) -> RoutingRule:
        rule = await self._rule(rule_id)
        await rule.delete()
        self._table.clear()
        return rule

    async def _themes_of(self, response: Response, rules: list[RoutingRule]) -> set[str]:
        """The response's theme keys, computed only when a rule asks for a theme."""
        if not any(rule.match.theme is not None for rule in rules):
            return set()
        return set(theme_keys(await tags_for(response, self.themes)))

    async def rules(self) -> list[RoutingRule]:
        return await RoutingRule.find_all().sort("+priority", "+created_at").to_list()

    async def defaults(self) -> RoutingDefaults:
        found = await RoutingDefaults.find_one(RoutingDefaults.key == "default")
        return found or RoutingDefaults(updated_at=self.clock.now())

    async def set_defaults(
        self,
        default_channel_id: str | None,
        escalation_channel_id: str | None,
        reminders: ReminderPolicy | None = None,
    ) -> RoutingDefaults:
        """Set both channels; None (or empty) clears one. `reminders`, when given,
        replaces the reminder policy of follow-ups that no rule matched."""
        default = channel_id(default_channel_id, "defaultChannelId")
        escalation = channel_id(escalation_channel_id, "escalationChannelId")
        policy = reminder_policy(reminders, "reminders") if reminders is not None else None
        now = self.clock.now()
        await routing_defaults.set_channels(
            default, escalation, now, policy.model_dump() if policy is not None else None
        )
        self._table.clear()
        return await self.defaults()

    async def reply_to_for(self, response: Response) -> str | None:
        """Where the customer's answer to a reply should go: the Reply-To of the rule
        that routes the response now (the first that matches), if it sets one."""
        rules = await self.rules()
        themes = await self._themes_of(response, rules)
        for rule in rules:
            if matches(rule.match, response, themes):
                return rule.reply_to
        return None

    async def reminder_policies(
        self,
    ) -> tuple[dict[PydanticObjectId, ReminderPolicy], RoutingDefaults]:
        """Each rule's reminder policy by rule id, and the defaults (with theirs)."""
        rules = {rule.id: rule.reminders for rule in await self.rules() if rule.id is not None}
        return rules, await self.defaults()

    async def channels_for(self, response: Response) -> list[str]:
        """The routed channel (first matching rule, else the default), then the
        escalation channel for detractors; no channel when nothing applies."""
        return (await self.route(response)).channels

    async def route(self, response: Response) -> Route:
        """The channels of `channels_for`, with the rule that chose them."""
        chosen: list[str] = []
        rule_id: PydanticObjectId | None = None
        rules, defaults = await self._routing_table()
        themes = await self._themes_of(response, rules)
        for rule in rules:
            if matches(rule.match, response, themes):
                chosen.append(rule.channel_id)
                rule_id = rule.id
                break
        if not chosen and defaults.default_channel_id:
            chosen.append(defaults.default_channel_id)
        escalation = defaults.escalation_channel_id
        if (
            escalation
            and is_detractor(response.metric, response.score)
            and escalation not in chosen
        ):
            chosen.append(escalation)
        return Route(chosen, rule_id)
