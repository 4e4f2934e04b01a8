"""Theme analytics over GraphQL: per theme, mentions, share of comments, the metric
among them and its impact; a theme's trend; the themes on the rise."""

from datetime import datetime
from typing import Self

import strawberry

from graphql_schema.analytics.types import (
    AnalyticsFilter,
    CesFigures,
    CsatFigures,
    NpsFigures,
    TrendInterval,
)
from graphql_schema.context import Context
from graphql_schema.errors import query
from graphql_schema.permissions import IsReader
from hub.services.analytics import theme_figures, themes
from hub.services.analytics.criteria import AnalyticsFilter as AnalyticsFilterModel


@strawberry.type(
    description="How much the responses whose comment mentions a theme move a metric's "
    "headline figure (NPS; CSAT % satisfied; CES mean): `overall` minus `without` them, "
    "with a 95% interval (delta method, see docs/themes.md). Null where there is nothing "
    "to compare: no responses, or all of them mention it."
)
class ThemeImpact:
    n: int = strawberry.field(description="Responses of the metric under the filter.")
    mentions: int = strawberry.field(description="Of them, those that mention the theme.")
    overall: float | None
    without: float | None
    impact: float | None
    interval_low: float | None
    interval_high: float | None

    @classmethod
    def from_impact(cls, impact: theme_figures.Impact | None) -> Self | None:
        return None if impact is None else cls(**vars(impact))


@strawberry.type(
    description="A theme's figures under a filter. The metrics (`nps`, `csat`, `ces`) "
    "are those of the responses that mention it; each impact compares every response "
    "with the same without them."
)
class ThemeSummary:
    key: str = strawberry.field(description="The theme's key.")
    name: str
    mentions: int = strawberry.field(description="Responses whose comment has the theme.")
    comments: int = strawberry.field(description="Every comment under the filter.")
    share_pct: float | None = strawberry.field(
        description="% of comments that mention the theme (null without comments)."
    )
    nps: NpsFigures | None
    csat: CsatFigures | None
    ces: CesFigures | None
    nps_impact: ThemeImpact | None
    csat_impact: ThemeImpact | None
    ces_impact: ThemeImpact | None

    @classmethod
    def from_figures(cls, figures: theme_figures.ThemeFigures) -> Self:
        return cls(
            key=figures.key,
            name=figures.name,
            mentions=figures.mentions,
            comments=figures.comments,
            share_pct=figures.share_pct,
            nps=NpsFigures.from_figures(figures.nps) if figures.nps else None,
            csat=CsatFigures.from_figures(figures.csat) if figures.csat else None,
            ces=CesFigures.from_figures(figures.ces) if figures.ces else None,
            nps_impact=ThemeImpact.from_impact(figures.nps_impact),
            csat_impact=ThemeImpact.from_impact(figures.csat_impact),
            ces_impact=ThemeImpact.from_impact(figures.ces_impact),
        )


@strawberry.type(description="One period of a theme's trend, its bounds in the requested zone.")
class ThemeTrendPoint:
    start: datetime
    end: datetime
    summary: ThemeSummary


@strawberry.type(
    description="A theme whose share of comments rose against the period of the same "
    "length just before, with the two-proportion z-test of the change (two-sided p)."
)
class EmergingTheme:
    key: str
    name: str
    mentions: int
    comments: int
    share_pct: float
    previous_mentions: int
    previous_comments: int
    previous_share_pct: float
    z: float
    p_value: float
    significant: bool = strawberry.field(description="p-value below `significance`.")

    @classmethod
    def from_theme(cls, theme: themes.EmergingTheme) -> Self:
        return cls(**vars(theme))


def _criteria(filter: AnalyticsFilter | None) -> AnalyticsFilterModel:
    return filter.to_model() if filter else AnalyticsFilterModel()


@strawberry.type
class ThemeAnalyticsQuery:
    @query(
        permission_classes=[IsReader],
        description="Every theme's mentions, share of comments, the metric among the "
        "responses that mention it and its impact with a 95% interval, read from "
        "rollups; most mentioned first, themes without mentions with zeros.",
    )
    async def theme_summary(
        self, info: strawberry.Info[Context], filter: AnalyticsFilter | None = None
    ) -> list[ThemeSummary]:
        found = await info.context.services.analytics.themes.summary(_criteria(filter))
        return [ThemeSummary.from_figures(figures) for figures in found]

    @query(
        permission_classes=[IsReader],
        description="One theme's figures per day, week (from Monday) or month in an IANA "
        "time zone; periods without data have zero counts. dateFrom and dateTo are "
        "required; an unknown theme is NOT_FOUND.",
    )
    async def theme_trend(
        self,
        info: strawberry.Info[Context],
        theme: str,
        filter: AnalyticsFilter,
        interval: TrendInterval,
        timezone: str = "UTC",
    ) -> list[ThemeTrendPoint]:
        points = await info.context.services.analytics.themes.trend(
            theme, filter.to_model(), interval, timezone
        )
        return [
            ThemeTrendPoint(
                start=point.start,
                end=point.end,
                summary=ThemeSummary.from_figures(point.figures),
            )
            for point in points
        ]

    @query(
        permission_classes=[IsReader],
        description="The themes whose share of comments under the filter rose against "
        "the period of the same length just before, significant ones (p below "
        "`significance`) first. dateFrom and dateTo are required.",
    )
    async def emerging_themes(
        self,
        info: strawberry.Info[Context],
        filter: AnalyticsFilter,
        significance: float = themes.SIGNIFICANCE,
    ) -> list[EmergingTheme]:
        found = await info.context.services.analytics.themes.emerging(
            filter.to_model(), significance
        )
        return [EmergingTheme.from_theme(theme) for theme in found]
