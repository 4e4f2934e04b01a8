"""Direct messages: the fallback of every private answer in Slack.

An answer meant for one person (the customer's contact details after a claim, a
refusal) is shown ephemerally where they clicked; when Slack cannot show it there
(they are not in the channel, Slack is down), it is queued here as a direct message
and delivered through the outbox, retried while Slack is down, exactly once per answer."""

from __future__ import annotations

from hub.models.followup import FollowUp
from hub.services.platform.outbox import OutboxService

DIRECT = "slack.dm"


class DirectMessages:
    def __init__(self, outbox: OutboxService) -> None:
        self.outbox = outbox

    async def answer(self, key: str, slack_user: str, text: str) -> bool:
        """Queue `text` (which holds nobody's personal data) for `slack_user`, once per
        `key` (the interaction it answers); False when it was already queued."""
        return await self.outbox.enqueue(
            DIRECT, f"{DIRECT}:{key}", slack_user, {"user": slack_user, "text": text}
        )

    async def claim_notice(self, key: str, slack_user: str, follow_up: FollowUp) -> bool:
        """Queue the claim's confirmation with the customer's contact details. The
        details are read when it is sent, so a person erased or restricted meanwhile
        is not passed on; it is about them, so their erasure drops it."""
        return await self.outbox.enqueue(
            DIRECT,
            f"{DIRECT}:{key}",
            slack_user,
            {"user": slack_user, "claimed": str(follow_up.id)},
            subject_ids=[follow_up.subject_id],
        )
