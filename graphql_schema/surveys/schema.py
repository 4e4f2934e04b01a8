from typing import Annotated

import strawberry

from graphql_schema.context import Context
from graphql_schema.enums import SurveyStatus
from graphql_schema.errors import ConflictError, NotFoundError, ValidationError, mutation
from graphql_schema.permissions import IsAdmin, IsReader
from graphql_schema.surveys.types import CreateSurveyInput, Survey, UpdateSurveyInput
from hub.models.survey import SurveyStatus as SurveyStatusModel
from hub.services.surveys.surveys import SurveyChanges, SurveyDraft

CreateSurveyResult = Annotated[
    Survey | ValidationError | ConflictError, strawberry.union("CreateSurveyResult")
]
UpdateSurveyResult = Annotated[
    Survey | ValidationError | NotFoundError | ConflictError,
    strawberry.union("UpdateSurveyResult"),
]


@strawberry.type
class SurveyQuery:
    @strawberry.field(permission_classes=[IsReader], description="Surveys, by key.")
    async def surveys(
        self,
        info: strawberry.Info[Context],
        status: SurveyStatus | None = None,
    ) -> list[Survey]:
        found = await info.context.services.surveys.list_surveys(status=status)
        return [Survey.from_document(survey) for survey in found]

    @strawberry.field(permission_classes=[IsReader])
    async def survey(self, info: strawberry.Info[Context], key: str) -> Survey | None:
        found = await info.context.loaders.survey_by_key.load(key)
        return Survey.from_document(found) if found else None


@strawberry.type
class SurveyMutation:
    @mutation(permission_classes=[IsAdmin])
    async def create_survey(
        self, info: strawberry.Info[Context], input: CreateSurveyInput
    ) -> CreateSurveyResult:
        rules = input.contact_rules.to_model() if input.contact_rules else None
        draft = SurveyDraft(
            key=input.key,
            metric=input.metric,
            product=input.product,
            texts=[text.to_model() for text in input.texts],
            default_locale=input.default_locale,
            channels=list(input.channels),
            status=input.status,
        )
        if rules is not None:
            draft.contact_rules = rules
        survey = await info.context.services.surveys.create(draft)
        return Survey.from_document(survey)

    @mutation(permission_classes=[IsAdmin])
    async def update_survey(
        self, info: strawberry.Info[Context], key: str, input: UpdateSurveyInput
    ) -> UpdateSurveyResult:
        changes = SurveyChanges(
            product=input.product,
            texts=[text.to_model() for text in input.texts] if input.texts is not None else None,
            default_locale=input.default_locale,
            channels=list(input.channels) if input.channels is not None else None,
            contact_rules=input.contact_rules.to_model() if input.contact_rules else None,
        )
        survey = await info.context.services.surveys.update(key, changes)
        return Survey.from_document(survey)

    @mutation(
        permission_classes=[IsAdmin],
        description="Activate, pause or archive a survey. Archived surveys stay archived.",
    )
    async def set_survey_status(
        self,
        info: strawberry.Info[Context],
        key: str,
        status: SurveyStatus,
    ) -> UpdateSurveyResult:
        survey = await info.context.services.surveys.set_status(key, SurveyStatusModel(status))
        return Survey.from_document(survey)

    @mutation(permission_classes=[IsAdmin], description="Stop showing a survey.")
    async def pause_survey(self, info: strawberry.Info[Context], key: str) -> UpdateSurveyResult:
        survey = await info.context.services.surveys.set_status(key, SurveyStatusModel.PAUSED)
        return Survey.from_document(survey)
