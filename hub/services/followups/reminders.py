"""Reminders and escalation: nothing waits unnoticed in Slack.

A scheduled job (one process at a time, through the job leases) looks for follow-ups
in Slack that waited longer than their routing rule allows (or the defaults, for
follow-ups no rule matched or whose rule is gone): unclaimed for
`unclaimed_after_minutes`, or claimed but unresolved for `unresolved_after_minutes`.
For each it queues one reply in the message's thread, and for detractors one
escalation to the escalation channel, through the outbox.

Each reminder is sent once per stage: "unclaimed" once per follow-up, and
"unresolved-<claimed at>" once per claim (a new claimer gets their own). The stage is
the outbox key, so two schedulers, a restart or a crash between queuing and noting it
queue nothing twice; `reminders_sent` on the follow-up only keeps the next scan short.

With business hours, only time inside them counts towards a threshold, and nobody is
pinged outside them: a reminder that falls due at night waits for the morning."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from beanie import PydanticObjectId

from hub.clock import Clock
from hub.models.followup import FollowUp, FollowUpStatus, PostKind
from hub.models.routing import ReminderPolicy
from hub.services.analytics.bands import is_detractor
from hub.services.followups import business_hours
from hub.services.followups.routing import RoutingService
from hub.services.followups.stores import follow_ups
from hub.services.platform.outbox import OutboxService

log = logging.getLogger(__name__)

REMIND = "slack.remind"
ESCALATE = "slack.escalate"
UNCLAIMED = "unclaimed"
UNRESOLVED = "unresolved"


def stage_of(follow_up: FollowUp) -> str | None:
    """The reminder stage the follow-up is in now; None when it needs none."""
    if follow_up.status is FollowUpStatus.OPEN:
        return UNCLAIMED
    if follow_up.status is FollowUpStatus.CLAIMED and follow_up.claimed_at is not None:
        return f"{UNRESOLVED}-{int(follow_up.claimed_at.timestamp())}"
    return None


def thread_of(follow_up: FollowUp) -> tuple[str, str] | None:
    """(channel, ts) of the message whose thread a reminder goes to: the routed post,
    else the first one."""
    posts = sorted(follow_up.posts, key=lambda post: post.kind is not PostKind.ROUTED)
    return (posts[0].channel_id, posts[0].ts) if posts else None


@dataclass(frozen=True)
class Policies:
    by_rule: dict[PydanticObjectId, ReminderPolicy]
    default: ReminderPolicy
    escalation_channel_id: str | None

    def of(self, follow_up: FollowUp) -> ReminderPolicy:
        if follow_up.routing_rule_id is not None and follow_up.routing_rule_id in self.by_rule:
            return self.by_rule[follow_up.routing_rule_id]
        return self.default

    def shortest(self, unresolved: bool) -> timedelta | None:
        """The shortest threshold of any policy: nothing younger can be due."""
        minutes = [
            policy.unresolved_after_minutes if unresolved else policy.unclaimed_after_minutes
            for policy in [*self.by_rule.values(), self.default]
        ]
        present = [m for m in minutes if m is not None]
        return timedelta(minutes=min(present)) if present else None


class ReminderService:
    def __init__(self, clock: Clock, outbox: OutboxService, routing: RoutingService) -> None:
        self.clock = clock
        self.outbox = outbox
        self.routing = routing

    async def run(self) -> int:
        """Queue every reminder that is due now; how many were queued."""
        by_rule, defaults = await self.routing.reminder_policies()
        policies = Policies(by_rule, defaults.reminders, defaults.escalation_channel_id)
        now = self.clock.now()
        queued = 0
        for status, since_field in (
            (FollowUpStatus.OPEN, "created_at"),
            (FollowUpStatus.CLAIMED, "claimed_at"),
        ):
            shortest = policies.shortest(status is FollowUpStatus.CLAIMED)
            if shortest is None:
                continue
            async for raw in follow_ups.waiting(status, since_field, now - shortest):
                queued += await self._remind_if_due(FollowUp.model_validate(raw), policies, now)
        if queued:
            log.info("queued %d follow-up reminders", queued)
        return queued

    async def run_scheduled(self) -> None:
        await self.run()

    async def _remind_if_due(self, follow_up: FollowUp, policies: Policies, now: datetime) -> int:
        stage = stage_of(follow_up)
        thread = thread_of(follow_up)
        if stage is None or thread is None or stage in follow_up.reminders_sent:
            return 0
        policy = policies.of(follow_up)
        unclaimed = stage == UNCLAIMED
        minutes = policy.unclaimed_after_minutes if unclaimed else policy.unresolved_after_minutes
        since = follow_up.created_at if unclaimed else follow_up.claimed_at
        if minutes is None or since is None:
            return 0
        due = business_hours.due_at(since, timedelta(minutes=minutes), policy.business_hours)
        if due is None or due > now or not business_hours.is_open(now, policy.business_hours):
            return 0
        payload = {
            "follow_up_id": str(follow_up.id),
            "stage": stage,
            "after_minutes": minutes,
            "on_call_group_id": policy.on_call_group_id,
            "thread_channel": thread[0],
            "thread_ts": thread[1],
        }
        subjects = [follow_up.subject_id]
        queued = 0
        if await self.outbox.enqueue(
            REMIND, f"{REMIND}:{follow_up.id}:{stage}", thread[0], payload, subjects
        ):
            queued += 1
        escalation = policy.escalation_channel_id or policies.escalation_channel_id
        if (
            escalation is not None
            and escalation != thread[0]
            and is_detractor(follow_up.metric, follow_up.score)
        ):
            await self.outbox.enqueue(
                ESCALATE, f"{ESCALATE}:{follow_up.id}:{stage}", escalation, payload, subjects
            )
        await follow_ups.mark_reminded(follow_up.id, stage)
        return queued
