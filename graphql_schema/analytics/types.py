from datetime import datetime
from typing import Self, TypeAlias

import strawberry

from graphql_schema.enums import Channel, Metric
from graphql_schema.widget.types import Response
from hub.services.analytics import criteria, figures
from hub.services.widget import events

TrendInterval: TypeAlias = criteria.Interval
strawberry.enum(TrendInterval, name="TrendInterval")
BreakdownDimension: TypeAlias = criteria.Dimension
strawberry.enum(BreakdownDimension, name="BreakdownDimension")
ResponseEventKind: TypeAlias = events.EventKind
strawberry.enum(ResponseEventKind, name="ResponseEventKind")


@strawberry.input(description="Which responses and displays count. Every field narrows.")
class AnalyticsFilter:
    survey_keys: list[str] | None = None
    metric: Metric | None = None
    product: str | None = None
    country: str | None = strawberry.field(default=None, description="ISO 3166-1 alpha-2.")
    channel: Channel | None = None
    company: str | None = None
    date_from: datetime | None = strawberry.field(
        default=None, description="Inclusive; rounded down to the quarter-hour."
    )
    date_to: datetime | None = strawberry.field(
        default=None, description="Exclusive; rounded down to the quarter-hour."
    )

    def to_model(self) -> criteria.AnalyticsFilter:
        return criteria.AnalyticsFilter(
            survey_keys=self.survey_keys,
            metric=self.metric,
            product=self.product,
            country=self.country,
            channel=self.channel,
            company=self.company,
            date_from=self.date_from,
            date_to=self.date_to,
        )


@strawberry.type(
    description="Net Promoter Score: % promoters (9-10) minus % detractors (0-6), "
    "-100 to +100, with a 95% adjusted Wald interval. Null figures when n is 0."
)
class NpsFigures:
    n: int
    promoters: int
    passives: int
    detractors: int
    promoters_pct: float | None
    passives_pct: float | None
    detractors_pct: float | None
    score: float | None
    interval_low: float | None
    interval_high: float | None

    @classmethod
    def from_figures(cls, figures: figures.NpsFigures) -> Self:
        return cls(**vars(figures))


@strawberry.type(description="CSAT: % of 4-5 answers on the 1-5 scale, and the mean.")
class CsatFigures:
    n: int
    satisfied: int
    satisfied_pct: float | None
    mean: float | None

    @classmethod
    def from_figures(cls, figures: figures.CsatFigures) -> Self:
        return cls(**vars(figures))


@strawberry.type(description="CES: the mean on the 1-7 scale and the % of 5-7 answers.")
class CesFigures:
    n: int
    mean: float | None
    easy: int = strawberry.field(description="Answers of 5 to 7.")
    easy_pct: float | None

    @classmethod
    def from_figures(cls, figures: figures.CesFigures) -> Self:
        return cls(**vars(figures))


@strawberry.type(
    description="Counts and figures. Declines are not in any metric's n; rates are "
    "percentages (null when their denominator is 0)."
)
class MetricSummary:
    displays: int
    responses: int
    comments: int
    declines: int
    response_rate: float | None = strawberry.field(description="% of displays answered.")
    comment_rate: float | None = strawberry.field(description="% of responses with a comment.")
    decline_rate: float | None = strawberry.field(description="% of displays declined.")
    nps: NpsFigures | None
    csat: CsatFigures | None
    ces: CesFigures | None

    @classmethod
    def from_summary(cls, summary: figures.Summary) -> Self:
        return cls(
            displays=summary.displays,
            responses=summary.responses,
            comments=summary.comments,
            declines=summary.declines,
            response_rate=summary.response_rate,
            comment_rate=summary.comment_rate,
            decline_rate=summary.decline_rate,
            nps=NpsFigures.from_figures(summary.nps) if summary.nps else None,
            csat=CsatFigures.from_figures(summary.csat) if summary.csat else None,
            ces=CesFigures.from_figures(summary.ces) if summary.ces else None,
        )


@strawberry.type(description="One period of a trend, its bounds in the requested zone.")
class TrendPoint:
    start: datetime
    end: datetime
    summary: MetricSummary


@strawberry.type
class BreakdownGroup:
    key: str | None = strawberry.field(
        description="The value grouped on; null for the other bucket or when none was recorded."
    )
    other: bool = strawberry.field(description="The groups beyond `top`, together.")
    groups: int = strawberry.field(description="How many groups this row stands for.")
    summary: MetricSummary


@strawberry.type
class ScoreCount:
    metric: Metric
    score: int
    count: int


@strawberry.type
class RollupsRebuilt:
    displays: int
    responses: int
    daily_rollups: int
    hourly_rollups: int
    slot_rollups: int
    theme_daily_rollups: int = strawberry.field(
        description="Day rollups of the themes, recounted from the responses' tags."
    )


@strawberry.type(description="A download of the export, valid until `expiresAt`.")
class ResponseExportLink:
    url: str
    expires_at: datetime


@strawberry.type(
    description="A new score, comment or decline. `response` is null for declines; "
    "its person is masked like in the responses query."
)
class ResponseEvent:
    kind: ResponseEventKind
    at: datetime
    survey_key: str
    metric: Metric
    product: str
    country: str | None
    channel: Channel
    company: str | None
    display_id: strawberry.ID | None
    response: Response | None

    @classmethod
    def from_event(cls, event: events.ResponseEvent) -> Self:
        display_id = None
        if event.display is not None:
            display_id = strawberry.ID(str(event.display.id))
        elif event.response is not None:
            display_id = strawberry.ID(str(event.response.display_id))
        return cls(
            kind=event.kind,
            at=event.at,
            survey_key=event.survey_key,
            metric=event.metric,
            product=event.product,
            country=event.country,
            channel=event.channel,
            company=event.company,
            display_id=display_id,
            response=Response.from_document(event.response) if event.response else None,
        )
