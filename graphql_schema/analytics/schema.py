"""Analytics over GraphQL: figures read from rollups, exports, live events."""

from collections.abc import AsyncGenerator
from typing import Annotated

import strawberry

from graphql_schema.analytics.types import (
    AnalyticsFilter,
    BreakdownDimension,
    BreakdownGroup,
    MetricSummary,
    ResponseEvent,
    ResponseExportLink,
    RollupsRebuilt,
    ScoreCount,
    TrendInterval,
    TrendPoint,
)
from graphql_schema.context import Context
from graphql_schema.errors import (
    ConflictError,
    NotFoundError,
    ValidationError,
    mutation,
    query,
    subscription,
)
from graphql_schema.permissions import IsAdmin, IsReader
from graphql_schema.widget.types import ResponseFilter
from hub.services.analytics.criteria import AnalyticsFilter as AnalyticsFilterModel
from hub.services.widget.responses import ResponseFilter as ResponseFilterModel

RebuildRollupsResult = Annotated[
    RollupsRebuilt | NotFoundError | ConflictError, strawberry.union("RebuildRollupsResult")
]
ExportResponsesResult = Annotated[
    ResponseExportLink | ValidationError, strawberry.union("ExportResponsesResult")
]


def _criteria(filter: AnalyticsFilter | None) -> AnalyticsFilterModel:
    return filter.to_model() if filter else AnalyticsFilterModel()


@strawberry.type
class AnalyticsQuery:
    @query(
        permission_classes=[IsReader],
        description="NPS, CSAT and CES figures with display, response, comment and "
        "decline counts, read from rollups.",
    )
    async def metric_summary(
        self, info: strawberry.Info[Context], filter: AnalyticsFilter | None = None
    ) -> MetricSummary:
        summary = await info.context.services.analytics.summary(_criteria(filter))
        return MetricSummary.from_summary(summary)

    @query(
        permission_classes=[IsReader],
        description="The summary per day, week (from Monday) or month in an IANA time "
        "zone; periods without data have zero counts. dateFrom and dateTo are required.",
    )
    async def metric_trend(
        self,
        info: strawberry.Info[Context],
        filter: AnalyticsFilter,
        interval: TrendInterval,
        timezone: str = "UTC",
    ) -> list[TrendPoint]:
        points = await info.context.services.analytics.trend(filter.to_model(), interval, timezone)
        return [
            TrendPoint(start=p.start, end=p.end, summary=MetricSummary.from_summary(p.summary))
            for p in points
        ]

    @query(
        permission_classes=[IsReader],
        description="The summary per product, country, channel, company or survey, "
        'largest n first; groups beyond `top` are summed into one "other" group.',
    )
    async def metric_breakdown(
        self,
        info: strawberry.Info[Context],
        by: BreakdownDimension,
        filter: AnalyticsFilter | None = None,
        top: int = 10,
    ) -> list[BreakdownGroup]:
        groups = await info.context.services.analytics.breakdown(_criteria(filter), by, top)
        return [
            BreakdownGroup(
                key=group.key,
                other=group.other,
                groups=group.groups,
                summary=MetricSummary.from_summary(group.summary),
            )
            for group in groups
        ]

    @query(
        permission_classes=[IsReader],
        description="Responses per score value; every value of each metric's scale is listed.",
    )
    async def score_distribution(
        self, info: strawberry.Info[Context], filter: AnalyticsFilter | None = None
    ) -> list[ScoreCount]:
        counts = await info.context.services.analytics.score_distribution(_criteria(filter))
        return [ScoreCount(metric=c.metric, score=c.score, count=c.count) for c in counts]


@strawberry.type
class AnalyticsMutation:
    @mutation(
        permission_classes=[IsAdmin],
        description="Recompute rollups (of one survey, or all) from displays and responses. "
        "One rebuild at a time: while one runs, another is a ConflictError ALREADY_RUNNING.",
    )
    async def rebuild_rollups(
        self, info: strawberry.Info[Context], survey_key: str | None = None
    ) -> RebuildRollupsResult:
        report = await info.context.services.analytics.rebuild(survey_key)
        return RollupsRebuilt(
            displays=report.displays,
            responses=report.responses,
            daily_rollups=report.daily_rollups,
            hourly_rollups=report.hourly_rollups,
            slot_rollups=report.slot_rollups,
            theme_daily_rollups=report.theme_daily_rollups,
        )

    @mutation(
        permission_classes=[IsReader],
        description="A short-lived link to a CSV of the responses under the filter, "
        "streamed, personal data masked as in the responses query.",
    )
    async def export_responses(
        self, info: strawberry.Info[Context], filter: ResponseFilter | None = None
    ) -> ExportResponsesResult:
        principal = info.context.principal
        assert principal is not None  # IsReader let the call through
        criteria = filter.to_model() if filter else ResponseFilterModel()
        path, expires = info.context.services.exports.link(criteria, principal.role)
        base = info.context.services.settings.resolved_public_url()
        return ResponseExportLink(url=base + path, expires_at=expires)


@strawberry.type
class AnalyticsSubscription:
    @subscription(
        permission_classes=[IsReader],
        description="Each new score, comment and decline under the filter (its date "
        "bounds ignored) as it is recorded.",
    )
    async def response_events(
        self, info: strawberry.Info[Context], filter: AnalyticsFilter | None = None
    ) -> AsyncGenerator[ResponseEvent, None]:
        criteria = _criteria(filter)
        criteria.dimension_query()  # a filter that is not valid fails before listening
        async for event in info.context.services.analytics.listen(criteria):
            yield ResponseEvent.from_event(event)
