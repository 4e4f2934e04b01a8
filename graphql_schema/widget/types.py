"""The widget's calls (eligibility, displays, scores, comments, declines) and the
responses that come out of them, as read by dashboards."""

from datetime import datetime
from typing import Self, TypeAlias

import strawberry

from graphql_schema.context import Context
from graphql_schema.enums import Channel, Metric
from graphql_schema.surveys.types import Scale
from graphql_schema.surveys.types import Survey as SurveyType
from hub.models import response as model
from hub.models.activity import DisplayContext
from hub.models.common import Role, UserIdentity
from hub.models.survey import Survey
from hub.services.access import roles as access
from hub.services.platform import paging
from hub.services.themes import matching
from hub.services.widget import throttling
from hub.services.widget.responses import ResponseFilter as ResponseFilterModel

ThrottlingRule: TypeAlias = throttling.Rule
strawberry.enum(
    ThrottlingRule,
    name="ThrottlingRule",
    description="A rule that can keep a survey from being shown; docs/api.md (Contact "
    "rules) says when each one blocks and its default.",
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


@strawberry.type(
    description="The person who answered. Masked (null, with masked: true) for roles "
    "that may not see personal data."
)
class Respondent:
    id: str | None
    username: str | None
    email: str | None
    masked: bool


@strawberry.type
class ResponseCustomer:
    company: str | None
    country: str | None


@strawberry.type(
    description="A theme the comment matched, and why: the rule's language, the term as "
    "the rule writes it, and the comment's words that matched it."
)
class ResponseTheme:
    theme: str = strawberry.field(description="The theme's key.")
    language: str
    rule: str = strawberry.field(description="The term of the theme's rule that matched.")
    words: list[str] = strawberry.field(
        description="The comment's words that matched. For roles that see masked data, "
        "only the words the comment, as they read it, still shows: a word inside an "
        "e-mail address, a phone number, a user id or a username is left out."
    )


@strawberry.type
class Response:
    document: strawberry.Private[model.Response]
    id: strawberry.ID
    survey_key: str
    metric: Metric
    score: int
    commented_at: datetime | None
    product: str
    channel: Channel
    locale: str
    answered_at: datetime

    @strawberry.field
    def customer(self) -> ResponseCustomer:
        customer = self.document.customer
        return ResponseCustomer(company=customer.company, country=customer.country)

    async def _unmasked(self, info: strawberry.Info[Context]) -> bool:
        """Whether the caller sees the person: roles that may see personal data, and
        for a person whose data is restricted, privacy officers only."""
        principal = info.context.principal
        if principal is None or not access.may_see_personal_data(principal.role):
            return False
        if principal.role is Role.PRIVACY_OFFICER:
            return True
        return not await info.context.loaders.restricted.load(self.document.user.id)

    @strawberry.field(description="The person; masked unless the role may see personal data.")
    async def user(self, info: strawberry.Info[Context]) -> Respondent:
        if not await self._unmasked(info):
            return Respondent(id=None, username=None, email=None, masked=True)
        info.context.reveal("responses", str(self.document.id))
        user = self.document.user
        return Respondent(id=user.id, username=user.username, email=user.email, masked=False)

    @strawberry.field(
        description="The comment. For roles that see masked data, e-mail addresses, phone "
        "numbers, user ids and usernames in it are replaced by placeholders."
    )
    async def comment(self, info: strawberry.Info[Context]) -> str | None:
        text = self.document.comment
        if not text:
            return text
        masked = await info.context.loaders.masked_text.load(text)
        if masked == text or not await self._unmasked(info):
            return masked
        info.context.reveal("responses", str(self.document.id))
        return text

    @strawberry.field(
        description="The themes the comment matched, by theme key; empty until the comment "
        "is tagged (seconds after it is written) and for a response without one."
    )
    async def themes(self, info: strawberry.Info[Context]) -> list[ResponseTheme]:
        tags = self.document.themes
        text = self.document.comment
        if not tags or not text:
            return []
        # The words come from the comment: a caller sees those the comment shows them.
        masked = await info.context.loaders.masked_text.load(text)
        shown = {folded for _, folded in matching.words(masked)}
        hidden = {word for found in tags for word in found.words if word.casefold() not in shown}
        if hidden and await self._unmasked(info):
            info.context.reveal("responses", str(self.document.id))
            hidden = set()
        return [
            ResponseTheme(
                theme=found.theme,
                language=found.language,
                rule=found.rule,
                words=[word for word in found.words if word not in hidden],
            )
            for found in tags
        ]

    @strawberry.field(description="The page it was answered on; masked like the person.")
    async def url(self, info: strawberry.Info[Context]) -> str | None:
        if not await self._unmasked(info):
            return None
        info.context.reveal("responses", str(self.document.id))
        return self.document.url

    @strawberry.field(
        description="The id of the follow-up this response opened; null when it opened "
        "none (no comment, or no follow-up asked for its score)."
    )
    async def follow_up_id(self, info: strawberry.Info[Context]) -> strawberry.ID | None:
        found = await info.context.loaders.follow_up_of_response.load(paging.id_of(self.document))
        return strawberry.ID(found) if found else None

    @strawberry.field
    async def survey(self, info: strawberry.Info[Context]) -> SurveyType | None:
        found = await info.context.loaders.survey_by_key.load(self.document.survey_key)
        return SurveyType.from_document(found) if found else None

    @classmethod
    def from_document(cls, response: model.Response) -> Self:
        return cls(
            document=response,
            id=strawberry.ID(str(response.id)),
            survey_key=response.survey_key,
            metric=response.metric,
            score=response.score,
            commented_at=response.commented_at,
            product=response.product,
            channel=response.channel,
            locale=response.locale,
            answered_at=response.answered_at,
        )


@strawberry.input
class ResponseFilter:
    survey_keys: list[str] | None = None
    metric: Metric | None = None
    score_min: int | None = None
    score_max: int | None = None
    product: str | None = None
    country: str | None = strawberry.field(default=None, description="ISO 3166-1 alpha-2.")
    channel: Channel | None = None
    has_comment: bool | None = None
    answered_from: datetime | None = strawberry.field(default=None, description="Inclusive.")
    answered_to: datetime | None = strawberry.field(default=None, description="Exclusive.")

    def to_model(self) -> ResponseFilterModel:
        return ResponseFilterModel(
            survey_keys=self.survey_keys,
            metric=self.metric,
            score_min=self.score_min,
            score_max=self.score_max,
            product=self.product,
            country=self.country,
            channel=self.channel,
            has_comment=self.has_comment,
            answered_from=self.answered_from,
            answered_to=self.answered_to,
        )
