"""Survey links and e-mail invitations (admin)."""

from typing import Annotated

import strawberry

from graphql_schema.channels.types import (
    InvitationQueued,
    InvitationSkipped,
    InvitationsSent,
    SurveyLinkCreated,
)
from graphql_schema.context import Context
from graphql_schema.errors import ConflictError, NotFoundError, ValidationError, mutation
from graphql_schema.permissions import IsAdmin
from graphql_schema.widget.types import UserInput
from hub.services.channels.invitations import Recipient

CreateSurveyLinkResult = Annotated[
    SurveyLinkCreated | ValidationError | NotFoundError | ConflictError,
    strawberry.union("CreateSurveyLinkResult"),
]
SendSurveyInvitationsResult = Annotated[
    InvitationsSent | ValidationError | NotFoundError | ConflictError,
    strawberry.union("SendSurveyInvitationsResult"),
]


@strawberry.type
class ChannelsMutation:
    @mutation(
        permission_classes=[IsAdmin],
        description="A signed link to the survey for one person (channel LINK). It "
        "works without JavaScript, can be answered once and expires after "
        "`expiresInDays` (default HUB_LINK_TTL_DAYS).",
    )
    async def create_survey_link(
        self,
        info: strawberry.Info[Context],
        survey_key: str,
        user: UserInput,
        expires_in_days: int | None = None,
    ) -> CreateSurveyLinkResult:
        link, url = await info.context.services.links.create(
            survey_key, user.to_model(), user.locale, expires_in_days
        )
        return SurveyLinkCreated(url=url, survey_key=link.survey_key, expires_at=link.expires_at)

    @mutation(
        permission_classes=[IsAdmin],
        description="Queue one e-mail invitation per eligible recipient (at most 1,000). "
        "Recipients the contact rules block, or without a valid e-mail, are skipped "
        "and reported with the reason.",
    )
    async def send_survey_invitations(
        self, info: strawberry.Info[Context], survey_key: str, recipients: list[UserInput]
    ) -> SendSurveyInvitationsResult:
        report = await info.context.services.invitations.send(
            survey_key,
            [
                Recipient(
                    user_id=recipient.id,
                    email=recipient.email,
                    username=recipient.username,
                    locale=recipient.locale,
                )
                for recipient in recipients
            ],
        )
        return InvitationsSent(
            queued=[
                InvitationQueued(
                    index=item.index, user_id=item.user_id, expires_at=item.link.expires_at
                )
                for item in report.invited
            ],
            skipped=[
                InvitationSkipped(
                    index=item.index,
                    user_id=item.user_id,
                    reason=item.reason,
                    rule=item.rule,
                    until=item.until,
                )
                for item in report.skipped
            ],
        )
