"""Suggested themes over GraphQL: the key phrases no theme covers yet, each with a rule
that pastes into createTheme, and examples masked as the responses query masks them."""

from datetime import datetime
from typing import Self

import strawberry
from beanie import PydanticObjectId

from graphql_schema.context import Context
from graphql_schema.enums import Metric
from graphql_schema.errors import query
from graphql_schema.permissions import IsReader
from graphql_schema.themes.types import ThemeRule
from graphql_schema.widget.types import Response
from hub.services.themes import suggestions as model


@strawberry.input(
    description="A period: dateFrom inclusive, dateTo exclusive, both with a zone offset."
)
class SuggestionPeriod:
    date_from: datetime
    date_to: datetime


@strawberry.type(description="A key phrase many comments share and no theme covers yet.")
class SuggestedTheme:
    document: strawberry.Private[model.Suggestion]
    phrase: str = strawberry.field(description="The phrase as most comments write it.")
    related: list[str] = strawberry.field(
        description="Other phrases mentioned by exactly the same comments (up to 5, best "
        "first): synonyms to add to the rule, or a better name."
    )
    language: str
    comments: int = strawberry.field(description="Comments that mention it (each once).")
    share: float = strawberry.field(
        description="Its share of the period's comments in its language (0 to 1)."
    )
    relevance: float = strawberry.field(
        description="YAKE's mean score of the phrase in those comments; lower is more "
        "relevant. Orders suggestions mentioned by as many comments."
    )
    metric: Metric | None = strawberry.field(
        description="The metric of those comments; null when they mix metrics."
    )
    average_score: float | None = strawberry.field(
        description="Their average score, on the metric's scale; null when they mix metrics."
    )
    previous_comments: int = strawberry.field(
        description="Comments of the previous period of the same length that mention it."
    )
    previous_share: float | None = strawberry.field(
        description="Its share in the previous period; null when that period had no "
        "comments in its language."
    )
    p_value: float | None = strawberry.field(
        description="Two-sided p-value of the two-proportion test of the shares; null "
        "when there is nothing to compare."
    )
    emerging: bool = strawberry.field(
        description="Whether its share rose against the previous period with a p-value under 0.05."
    )
    rule: ThemeRule = strawberry.field(
        description="The rule that makes it a theme: createTheme(input: {name, rules: [rule]})."
    )

    @strawberry.field(
        description="Up to three of the comments, newest first, masked for the caller's "
        "role as in the responses query."
    )
    async def examples(self, info: strawberry.Info[Context]) -> list[Response]:
        ids = [PydanticObjectId(response_id) for response_id in self.document.examples]
        found = await info.context.loaders.response_by_id.load_many(ids)
        return [Response.from_document(response) for response in found if response is not None]

    @classmethod
    def from_suggestion(cls, suggestion: model.Suggestion) -> Self:
        rule = suggestion.rule
        return cls(
            document=suggestion,
            phrase=suggestion.phrase,
            related=list(suggestion.related),
            language=suggestion.language,
            comments=suggestion.comments,
            share=suggestion.share,
            relevance=suggestion.relevance,
            metric=suggestion.metric,
            average_score=suggestion.average_score,
            previous_comments=suggestion.previous_comments,
            previous_share=suggestion.previous_share,
            p_value=suggestion.p_value,
            emerging=suggestion.emerging,
            rule=ThemeRule.from_model(rule),
        )


@strawberry.type
class SuggestedThemes:
    comments_read: int = strawberry.field(description="Comments of the period read.")
    sampled: bool = strawberry.field(
        description="Whether the period had more comments than were read "
        "(HUB_THEME_SUGGESTION_SAMPLE, the newest first)."
    )
    previous_comments_read: int
    previous_sampled: bool
    suggestions: list[SuggestedTheme] = strawberry.field(description="Best first.")


@strawberry.type
class SuggestionQuery:
    @query(
        permission_classes=[IsReader],
        description="Key phrases of the surveys' comments in the period that no theme "
        "covers yet, per language, most mentioned first, with the rule that makes each a "
        "theme. Reads at most HUB_THEME_SUGGESTION_SAMPLE comments per period; see "
        "docs/themes.md.",
    )
    async def suggested_themes(
        self,
        info: strawberry.Info[Context],
        survey_keys: list[str],
        period: SuggestionPeriod,
        language: str | None = None,
        limit: int = 20,
        min_comments: int = 2,
    ) -> SuggestedThemes:
        found = await info.context.services.theme_suggestions.suggest(
            model.SuggestionRequest(
                survey_keys=survey_keys,
                date_from=period.date_from,
                date_to=period.date_to,
                language=language,
                limit=limit,
                min_comments=min_comments,
            )
        )
        return SuggestedThemes(
            comments_read=found.comments_read,
            sampled=found.sampled,
            previous_comments_read=found.previous_comments_read,
            previous_sampled=found.previous_sampled,
            suggestions=[SuggestedTheme.from_suggestion(s) for s in found.suggestions],
        )
