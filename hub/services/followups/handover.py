"""Handing follow-ups on: reassigning one to another Slack user or back to the
queue, and reopening a resolved one with a reason. Each change is recorded on the
follow-up (who handed it over, who reopened it and why), shown in its Slack message
and announced in the message's thread, like a claim."""

from __future__ import annotations

import re

from hub.errors import Conflict, ErrorCode, ValidationFailed
from hub.models.followup import Actor, FollowUp, FollowUpAction, FollowUpStatus, Reopening
from hub.services.followups.followups import MAX_NOTE_LENGTH, AlreadyClaimed, FollowUpService
from hub.services.followups.stores import follow_ups
from hub.services.platform import validation

_SLACK_USER = re.compile(r"^slack:([UW][A-Z0-9]{2,20})$")


def slack_user_of(actor_id: str, field: str = "to") -> str:
    """The Slack user id of an actor id `slack:U…`; anything else is refused (a
    follow-up is handed to people in Slack, not to API keys)."""
    found = _SLACK_USER.match(actor_id.strip())
    if found is None:
        raise ValidationFailed(
            ErrorCode.INVALID_INPUT, "Give a Slack user as `slack:<user id>`.", field
        )
    return found.group(1)


class HandoverService:
    def __init__(self, follow_ups: FollowUpService) -> None:
        self.follow_ups = follow_ups

    async def reassign(
        self, follow_up_id: str, actor: Actor, to: Actor | None, is_admin: bool
    ) -> FollowUp:
        """Give the follow-up to `to`, or back to the queue when None. An open one may
        be given by anyone; a claimed one by its claimer or an admin."""
        if to is None:
            return await self.follow_ups.unclaim(follow_up_id, actor, is_admin)
        slack_user_of(to.id)
        current = await self.follow_ups.get(follow_up_id)
        changed = await self.follow_ups.record_change(
            lambda session: follow_ups.reassign(
                current.id,
                None if is_admin else actor.id,
                to.model_dump(),
                actor.model_dump(),
                self.follow_ups.clock.now(),
                session,
            ),
            FollowUpAction.REASSIGNED,
            actor,
            to,
        )
        if changed is not None:
            return changed
        latest = await self.follow_ups.get(follow_up_id)
        if latest.status is FollowUpStatus.RESOLVED:
            raise Conflict(ErrorCode.ALREADY_RESOLVED, "The follow-up is resolved.", "id")
        if latest.claimed_by is not None and latest.claimed_by.id == to.id:
            raise Conflict(ErrorCode.INVALID_TRANSITION, "The follow-up is theirs already.", "to")
        if latest.status is FollowUpStatus.CLAIMED:
            raise Conflict(
                ErrorCode.NOT_CLAIMER, "Only the claimer or an admin may reassign.", "id"
            )
        raise AlreadyClaimed(latest.claimed_by)  # changed hands meanwhile

    async def reopen(self, follow_up_id: str, actor: Actor, reason: str) -> FollowUp:
        """Put a resolved follow-up back in the queue, saying why. Its last resolution
        stays readable."""
        text = validation.bounded_text(reason, "reason", "A reason", MAX_NOTE_LENGTH)
        current = await self.follow_ups.get(follow_up_id)
        reopening = Reopening(by=actor, reason=text, reopened_at=self.follow_ups.clock.now())
        changed = await self.follow_ups.record_change(
            lambda session: follow_ups.reopen(current.id, reopening.model_dump(), session),
            FollowUpAction.REOPENED,
            actor,
        )
        if changed is None:
            raise Conflict(ErrorCode.INVALID_TRANSITION, "The follow-up is not resolved.", "id")
        return changed

    async def may_reassign(self, follow_up_id: str, actor: Actor, is_admin: bool) -> FollowUp:
        """The follow-up, when `actor` may reassign it now; else the error reassign gives."""
        follow_up = await self.follow_ups.get(follow_up_id)
        if follow_up.status is FollowUpStatus.RESOLVED:
            raise Conflict(ErrorCode.ALREADY_RESOLVED, "The follow-up is resolved.", "id")
        if (
            follow_up.status is FollowUpStatus.CLAIMED
            and not is_admin
            and (follow_up.claimed_by is None or follow_up.claimed_by.id != actor.id)
        ):
            raise Conflict(
                ErrorCode.NOT_CLAIMER, "Only the claimer or an admin may reassign.", "id"
            )
        return follow_up

    async def may_reopen(self, follow_up_id: str) -> FollowUp:
        """The follow-up, when it may be reopened now; else the error reopen gives."""
        follow_up = await self.follow_ups.get(follow_up_id)
        if follow_up.status is not FollowUpStatus.RESOLVED:
            raise Conflict(ErrorCode.INVALID_TRANSITION, "The follow-up is not resolved.", "id")
        return follow_up
