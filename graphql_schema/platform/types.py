"""How the deliveries that leave the process (Slack posts, e-mails) are going."""

from datetime import datetime
from typing import Self, TypeAlias

import strawberry

from hub.models.outbox import OutboxMessage
from hub.models.outbox import OutboxStatus as OutboxStatusModel
from hub.services.followups import held

DeliveryStatus: TypeAlias = OutboxStatusModel
strawberry.enum(
    DeliveryStatus,
    name="MessageDelivery",
    description="Where a delivery (an e-mail, a Slack post) is: PENDING (waiting or "
    "retrying), IN_FLIGHT, DELIVERED, HELD (refused for a reason a person can fix; it "
    "goes out once the cause is gone), or FAILED (refused for good).",
)


@strawberry.type(
    description="A delivery from the outbox: how it went, never what it carries "
    "(no payload, address or text)."
)
class Delivery:
    id: strawberry.ID
    kind: str = strawberry.field(
        description="email, slack.post, slack.update, slack.thread or slack.redact."
    )
    channel: str = strawberry.field(
        description="What its rate limits apply to: a Slack channel id, or smtp."
    )
    status: DeliveryStatus
    attempts: int
    created_at: datetime
    next_attempt_at: datetime = strawberry.field(
        description="When the dispatcher tries it (again), while it is PENDING."
    )
    delivered_at: datetime | None
    last_error_code: str | None = strawberry.field(
        description="Why the last attempt failed: an SMTP or Slack error code or an error "
        "class; null once delivered. For a HELD delivery: why it is held."
    )
    fix: str | None = strawberry.field(
        description="For a HELD delivery: what a person does so that it goes out; null otherwise."
    )

    @classmethod
    def from_document(cls, message: OutboxMessage) -> Self:
        return cls(
            id=strawberry.ID(str(message.id)),
            kind=message.kind,
            channel=message.channel,
            status=message.status,
            attempts=message.attempts,
            created_at=message.created_at,
            next_attempt_at=message.next_attempt_at,
            delivered_at=message.delivered_at,
            last_error_code=message.last_error,
            fix=(
                held.describe(message.last_error or "").fix
                if message.status is OutboxStatusModel.HELD
                else None
            ),
        )


@strawberry.type(description="Held Slack deliveries put back in the queue.")
class SlackRetry:
    released: int = strawberry.field(
        description="How many went back to the queue; any whose cause remains is held "
        "again after one try."
    )
