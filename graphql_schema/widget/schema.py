"""The calls of the survey widget and of mobile apps, made with a widget key, and the
responses they record, read by dashboards."""

from typing import Annotated

import strawberry

from graphql_schema.context import Context
from graphql_schema.enums import Channel
from graphql_schema.errors import ConflictError, NotFoundError, ValidationError, mutation, query
from graphql_schema.permissions import IsReader, IsWidgetCaller
from graphql_schema.widget.connections import ResponseConnection
from graphql_schema.widget.types import (
    CommentSubmitted,
    DisplayContextInput,
    DisplayRecorded,
    LocalizedSurvey,
    LoginRecorded,
    Response,
    ResponseFilter,
    RuleBlock,
    ScoreSubmitted,
    SurveyDeclined,
    SurveyEligibility,
    UserInput,
)
from hub.models.common import Channel as ChannelModel
from hub.models.common import Role
from hub.services.widget.responses import ResponseFilter as ResponseFilterModel

RecordLoginResult = Annotated[
    LoginRecorded | ValidationError, strawberry.union("RecordLoginResult")
]
RecordDisplayResult = Annotated[
    DisplayRecorded | ValidationError | NotFoundError | ConflictError,
    strawberry.union("RecordDisplayResult"),
]
SubmitScoreResult = Annotated[
    ScoreSubmitted | ValidationError | NotFoundError | ConflictError,
    strawberry.union("SubmitScoreResult"),
]
SubmitCommentResult = Annotated[
    CommentSubmitted | ValidationError | NotFoundError | ConflictError,
    strawberry.union("SubmitCommentResult"),
]
DeclineSurveyResult = Annotated[
    SurveyDeclined | NotFoundError | ConflictError, strawberry.union("DeclineSurveyResult")
]


def _sees_withheld(context: Context) -> bool:
    """Only privacy officers read what people taken out of processing sent."""
    principal = context.principal
    return principal is not None and principal.role is Role.PRIVACY_OFFICER


@strawberry.type
class WidgetQuery:
    @query(
        permission_classes=[IsWidgetCaller],
        description="May this survey be shown to this person now? If not, which rules "
        "block it and until when.",
    )
    async def survey_eligibility(
        self,
        info: strawberry.Info[Context],
        survey_key: str,
        user: UserInput,
        channel: Channel,
    ) -> SurveyEligibility:
        result = await info.context.services.responses.eligibility(
            survey_key, user.id, ChannelModel(channel), info.context.survey_scope, user.email
        )
        return SurveyEligibility(
            eligible=result.eligible,
            reason=result.reason,
            next_eligible_at=result.next_eligible_at,
            blocked_by=[RuleBlock(rule=block.rule, until=block.until) for block in result.blocks],
            survey=LocalizedSurvey.of(result.survey, user.locale) if result.survey else None,
        )

    @query(
        permission_classes=[IsReader],
        description="Responses, newest first. What people taken out of processing "
        "(restricted, objected) sent is left out for every role but privacy officers.",
    )
    async def responses(
        self,
        info: strawberry.Info[Context],
        filter: ResponseFilter | None = None,
        first: int = 20,
        after: str | None = None,
    ) -> ResponseConnection:
        criteria = filter.to_model() if filter else ResponseFilterModel()
        page = await info.context.services.responses.page(
            criteria, first, after, withheld=_sees_withheld(info.context)
        )
        return ResponseConnection.from_page(page, Response.from_document)


@strawberry.type
class WidgetMutation:
    @mutation(
        permission_classes=[IsWidgetCaller],
        description="Record that the person logged in (for the warm-up contact rules).",
    )
    async def record_login(
        self, info: strawberry.Info[Context], user: UserInput
    ) -> RecordLoginResult:
        login = await info.context.services.responses.record_login(user.to_model())
        return LoginRecorded(recorded_at=login.logged_in_at)

    @mutation(
        permission_classes=[IsWidgetCaller],
        description="Record that the survey is shown. Refused (NOT_ELIGIBLE) when the "
        "contact rules do not allow it now.",
    )
    async def record_display(
        self,
        info: strawberry.Info[Context],
        survey_key: str,
        user: UserInput,
        channel: Channel,
        context: DisplayContextInput | None = None,
    ) -> RecordDisplayResult:
        display = await info.context.services.responses.record_display(
            survey_key,
            user.to_model(),
            ChannelModel(channel),
            (context or DisplayContextInput()).to_model(),
            user.locale,
            info.context.survey_scope,
        )
        survey = await info.context.services.surveys.get(display.survey_key)
        return DisplayRecorded(
            display_id=strawberry.ID(str(display.id)),
            shown_at=display.shown_at,
            survey=LocalizedSurvey.of(survey, display.locale),
        )

    @mutation(permission_classes=[IsWidgetCaller])
    async def submit_score(
        self, info: strawberry.Info[Context], display_id: strawberry.ID, score: int
    ) -> SubmitScoreResult:
        services = info.context.services
        response = await services.responses.submit_score(
            display_id, score, info.context.survey_scope
        )
        survey = await services.surveys.get(response.survey_key)
        return ScoreSubmitted(
            response_id=strawberry.ID(str(response.id)),
            score=response.score,
            follow_up=survey.text_for(response.locale).follow_up,
        )

    @mutation(
        permission_classes=[IsWidgetCaller],
        description="The free-text reason for the score; at most 5,000 characters.",
    )
    async def submit_comment(
        self, info: strawberry.Info[Context], response_id: strawberry.ID, comment: str
    ) -> SubmitCommentResult:
        services = info.context.services
        response = await services.responses.submit_comment(
            response_id, comment, info.context.survey_scope
        )
        survey = await services.surveys.get(response.survey_key)
        return CommentSubmitted(
            response_id=strawberry.ID(str(response.id)),
            thank_you=survey.text_for(response.locale).thank_you,
        )

    @mutation(permission_classes=[IsWidgetCaller], description="The person dismissed the survey.")
    async def decline_survey(
        self, info: strawberry.Info[Context], display_id: strawberry.ID
    ) -> DeclineSurveyResult:
        display = await info.context.services.responses.decline(
            display_id, info.context.survey_scope
        )
        assert display.declined_at is not None
        return SurveyDeclined(
            display_id=strawberry.ID(str(display.id)), declined_at=display.declined_at
        )
