from datetime import datetime
from typing import Self

import strawberry

from graphql_schema.enums import Channel, Metric, SurveyStatus
from hub.models import survey as model
from hub.models.common import Metric as MetricModel
from hub.models.survey import SurveyStatus as SurveyStatusModel


@strawberry.type(description="The lowest and highest score of a metric.")
class Scale:
    min: int
    max: int

    @classmethod
    def of(cls, metric: MetricModel) -> Self:
        low, high = metric.scale
        return cls(min=low, max=high)


@strawberry.type
class SurveyText:
    locale: str
    question: str
    follow_up: str
    thank_you: str

    @classmethod
    def from_document(cls, text: model.SurveyText) -> Self:
        return cls(
            locale=text.locale,
            question=text.question,
            follow_up=text.follow_up,
            thank_you=text.thank_you,
        )


@strawberry.type(description="When a person may be shown the survey.")
class ContactRules:
    days_after_answer: int
    days_after_decline: int
    max_displays_without_answer: int
    min_days_between_displays: int
    sampling_percent: float
    min_logins: int | None
    min_days_since_first_seen: int | None

    @classmethod
    def from_document(cls, rules: model.ContactRules) -> Self:
        return cls(**rules.model_dump())


@strawberry.type
class Survey:
    document: strawberry.Private[model.Survey]
    key: str
    metric: Metric
    product: str
    default_locale: str
    channels: list[Channel]
    status: SurveyStatus
    created_at: datetime
    updated_at: datetime

    @strawberry.field
    def scale(self) -> Scale:
        return Scale.of(self.document.metric)

    @strawberry.field
    def texts(self) -> list[SurveyText]:
        return [SurveyText.from_document(text) for text in self.document.texts]

    @strawberry.field
    def contact_rules(self) -> ContactRules:
        return ContactRules.from_document(self.document.contact_rules)

    @classmethod
    def from_document(cls, survey: model.Survey) -> Self:
        return cls(
            document=survey,
            key=survey.key,
            metric=survey.metric,
            product=survey.product,
            default_locale=survey.default_locale,
            channels=list(survey.channels),
            status=survey.status,
            created_at=survey.created_at,
            updated_at=survey.updated_at,
        )


@strawberry.input
class SurveyTextInput:
    locale: str
    question: str
    follow_up: str
    thank_you: str

    def to_model(self) -> model.SurveyText:
        return model.SurveyText(
            locale=self.locale,
            question=self.question,
            follow_up=self.follow_up,
            thank_you=self.thank_you,
        )


_DEFAULTS = model.ContactRules()


@strawberry.input(description="Contact rules; a missing field takes its default.")
class ContactRulesInput:
    days_after_answer: int = _DEFAULTS.days_after_answer
    days_after_decline: int = _DEFAULTS.days_after_decline
    max_displays_without_answer: int = _DEFAULTS.max_displays_without_answer
    min_days_between_displays: int = _DEFAULTS.min_days_between_displays
    sampling_percent: float = _DEFAULTS.sampling_percent
    min_logins: int | None = None
    min_days_since_first_seen: int | None = None

    def to_model(self) -> model.ContactRules:
        # model_construct: range checks are the service's, which names the field.
        return model.ContactRules.model_construct(
            days_after_answer=self.days_after_answer,
            days_after_decline=self.days_after_decline,
            max_displays_without_answer=self.max_displays_without_answer,
            min_days_between_displays=self.min_days_between_displays,
            sampling_percent=self.sampling_percent,
            min_logins=self.min_logins,
            min_days_since_first_seen=self.min_days_since_first_seen,
        )


@strawberry.input
class CreateSurveyInput:
    key: str
    metric: Metric
    product: str
    texts: list[SurveyTextInput]
    default_locale: str
    channels: list[Channel]
    contact_rules: ContactRulesInput | None = None
    status: SurveyStatus = strawberry.field(
        default=SurveyStatusModel.DRAFT, description="DRAFT unless given."
    )


@strawberry.input(description="Fields to change; those left out stay as they are.")
class UpdateSurveyInput:
    product: str | None = None
    texts: list[SurveyTextInput] | None = None
    default_locale: str | None = None
    channels: list[Channel] | None = None
    contact_rules: ContactRulesInput | None = None
