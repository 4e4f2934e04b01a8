from datetime import datetime
from typing import TypeAlias

import strawberry

from graphql_schema.widget.types import ThrottlingRule
from hub.services.channels import invitations

InvitationSkipReason: TypeAlias = invitations.SkipReason
strawberry.enum(
    InvitationSkipReason,
    name="InvitationSkipReason",
    description="Why a recipient got no invitation. NOT_ELIGIBLE: a contact rule "
    "blocks (see `rule` and `until`).",
)


@strawberry.type(description="A signed survey link for one person; it opens /s/<token>.")
class SurveyLinkCreated:
    url: str
    survey_key: str
    expires_at: datetime


@strawberry.type
class InvitationQueued:
    index: int = strawberry.field(description="The recipient's position in the request.")
    user_id: str
    expires_at: datetime = strawberry.field(description="When the e-mail's links expire.")


@strawberry.type
class InvitationSkipped:
    index: int = strawberry.field(description="The recipient's position in the request.")
    user_id: str
    reason: InvitationSkipReason
    rule: ThrottlingRule | None = strawberry.field(
        description="For NOT_ELIGIBLE: the rule that blocks longest."
    )
    until: datetime | None = strawberry.field(
        description="For NOT_ELIGIBLE: when the person may be invited; null if no date."
    )


@strawberry.type(description="E-mails are queued and sent by the outbox over SMTP.")
class InvitationsSent:
    queued: list[InvitationQueued]
    skipped: list[InvitationSkipped]
