from datetime import datetime
from typing import Self, TypeAlias

import strawberry

from graphql_schema.enums import Metric
from graphql_schema.surveys.types import Scale
from hub.models.activity import DisplayContext
from hub.models.common import UserIdentity
from hub.models.survey import Survey
from hub.services.widget import throttling

ThrottlingRule: TypeAlias = throttling.Rule
strawberry.enum(
    ThrottlingRule,
    name="ThrottlingRule",
    description="A rule that can keep a survey from being shown; see the README.",
)


@strawberry.input(description="The person, as the product that shows the survey knows them.")
class UserInput:
    id: str
    username: str | None = None
    email: str | None = None
    locale: str | None = strawberry.field(
        default=None, description="Unknown locales fall back to the survey's default."
    )

    def to_model(self) -> UserIdentity:
        return UserIdentity(id=self.id, username=self.username, email=self.email)


@strawberry.input(description="Where the survey is shown.")
class DisplayContextInput:
    company: str | None = None
    country: str | None = strawberry.field(default=None, description="ISO 3166-1 alpha-2.")
    url: str | None = None
    product: str | None = strawberry.field(
        default=None, description="Product or service; the survey's own when left out."
    )

    def to_model(self) -> DisplayContext:
        return DisplayContext(
            company=self.company, country=self.country, url=self.url, product=self.product
        )


@strawberry.type(description="What the widget shows, in the person's locale.")
class LocalizedSurvey:
    key: str
    metric: Metric
    scale: Scale
    locale: str
    question: str
    follow_up: str
    thank_you: str

    @classmethod
    def of(cls, survey: Survey, locale: str | None) -> Self:
        text = survey.text_for(locale)
        return cls(
            key=survey.key,
            metric=survey.metric,
            scale=Scale.of(survey.metric),
            locale=text.locale,
            question=text.question,
            follow_up=text.follow_up,
            thank_you=text.thank_you,
        )


@strawberry.type
class RuleBlock:
    rule: ThrottlingRule
    until: datetime | None = strawberry.field(description="None: no end date is known.")


@strawberry.type
class SurveyEligibility:
    eligible: bool
    reason: ThrottlingRule | None = strawberry.field(
        description="The rule that blocks longest; null when eligible."
    )
    next_eligible_at: datetime | None = strawberry.field(
        description="When every blocking rule will have passed; null if eligible now or "
        "if a rule has no end date."
    )
    blocked_by: list[RuleBlock] = strawberry.field(description="Every rule that blocks now.")
    survey: LocalizedSurvey | None


@strawberry.type
class LoginRecorded:
    recorded_at: datetime


@strawberry.type
class DisplayRecorded:
    display_id: strawberry.ID
    shown_at: datetime
    survey: LocalizedSurvey


@strawberry.type
class ScoreSubmitted:
    response_id: strawberry.ID
    score: int
    follow_up: str = strawberry.field(description="The follow-up question to ask next.")


@strawberry.type
class CommentSubmitted:
    response_id: strawberry.ID
    thank_you: str


@strawberry.type
class SurveyDeclined:
    display_id: strawberry.ID
    declined_at: datetime
