"""RESTRICTION: the data kept but no longer processed: never surveyed or posted (the
suppression list, reason RESTRICTION), Slack messages redacted, until the officer
lifts it (`PrivacyService.lift_restriction`)."""

from __future__ import annotations

from hub.models.privacy import RightsRequest, RightsRequestType
from hub.models.suppression import SuppressionReason
from hub.services.privacy.steps.base import RequestHandler, StepResult
from hub.services.privacy.steps.erasure import suppress
from hub.services.privacy.subjects import Identity


class RestrictionHandler(RequestHandler):
    type = RightsRequestType.RESTRICTION

    async def run(self, request: RightsRequest, identity: Identity) -> StepResult:
        added = await suppress(self.services, identity, SuppressionReason.RESTRICTION)
        redacted = 0
        for user_id in identity.user_ids:
            redacted += await self.services.follow_ups.redact_subject(user_id)
        outcome = {
            "suppressed": {"identities": added},
            "slack": {"messages_redacted": redacted},
            "hooks": await self.services.hooks.restrict(identity),
        }
        return StepResult(outcome=outcome, extras={"restriction_active": True})
