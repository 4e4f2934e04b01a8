"""Theme analytics: per theme, its mentions, share of comments, the metric among the
responses that mention it and its impact (`themeSummary`), the same per period
(`themeTrend`), and the themes whose share rose against the previous period
(`emergingThemes`).

Each query reads the rollups (for the comments and the metric of everyone) and the
theme rollups (for the mentions) through the same plans as the other analytics
(`hub.services.analytics.queries`), both with the changes not folded yet and in one
snapshot, so a mention counts the moment its tags commit and is counted once with the
comment it belongs to. The round trips are bounded whatever the range: twice what a
metric query makes."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from pymongo.asynchronous.client_session import AsyncClientSession

from hub.errors import ErrorCode, NotFound, ValidationFailed
from hub.models.common import Metric
from hub.models.theme import Theme
from hub.models.theme_rollup import THEME_COUNTERS
from hub.services.analytics.criteria import AnalyticsFilter, Interval
from hub.services.analytics.figures import Tally, percent
from hub.services.analytics.grains import floor_slot
from hub.services.analytics.plans import ROLLUPS, Plan, Source, Tallies
from hub.services.analytics.queries import metrics_in_scope, periods
from hub.services.analytics.significance import two_proportion_test
from hub.services.analytics.stores import rollups
from hub.services.analytics.theme_figures import ThemeFigures, mentions_tally
from hub.services.themes.catalog import ThemeCatalog

THEME_ROLLUPS = Source(
    model_of=lambda grain: grain.theme_model,
    counters=THEME_COUNTERS,
    changes={"theme": {"$ne": None}},
    indexed=("detail", "theme", "survey_key"),
    tally=mentions_tally,
)
SIGNIFICANCE = 0.05


@dataclass(frozen=True)
class ThemePoint:
    start: datetime  # local time in the requested zone
    end: datetime
    figures: ThemeFigures


@dataclass(frozen=True)
class EmergingTheme:
    """A theme whose share of comments rose against the previous period of the same
    length, with the two-proportion test of the change."""

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
    significant: bool


async def _read_both(overall: Plan, mentioned: Plan) -> tuple[Tallies, Tallies]:
    """Both plans' reads in one snapshot: a fold committing meanwhile is counted once
    in each, so the mentions never outrun the comments they belong to."""

    async def read(session: AsyncClientSession) -> tuple[Tallies, Tallies]:
        everyone = await overall.read(session)
        themes = await mentioned.read(session)
        return overall.tallies(everyone), mentioned.tallies(themes)

    return await rollups.in_snapshot(read)


def _by_metric(tallies: dict[tuple[Metric, object], Tally]) -> dict[Metric, Tally]:
    return {metric: tally for (metric, _), tally in tallies.items()}


def _by_theme(tallies: dict[tuple[Metric, object], Tally]) -> dict[object, dict[Metric, Tally]]:
    grouped: dict[object, dict[Metric, Tally]] = defaultdict(dict)
    for (metric, theme), tally in tallies.items():
        grouped[theme][metric] = tally
    return grouped


class ThemeAnalytics:
    """Answers the theme queries from the rollups and the theme rollups; the themes
    listed are those the catalog holds (a theme with no mentions, with zeros)."""

    def __init__(self, catalog: ThemeCatalog) -> None:
        self.catalog = catalog

    async def _theme(self, key: str) -> Theme:
        for theme in await self.catalog.themes():
            if theme.key == key:
                return theme
        raise NotFound("Theme", "theme")

    async def summary(self, criteria: AnalyticsFilter) -> list[ThemeFigures]:
        """Every theme's figures under the filter, most mentioned first."""
        themes = await self.catalog.themes()
        metrics = await metrics_in_scope(criteria)
        bounds = [criteria.date_from, criteria.date_to]
        overall = Plan(ROLLUPS, criteria, bounds)
        mentioned = Plan(THEME_ROLLUPS, criteria, bounds, group="theme")
        (everyone,), (by_theme,) = await _read_both(overall, mentioned)
        totals, grouped = _by_metric(everyone), _by_theme(by_theme)
        figures = [
            ThemeFigures.of(theme.key, theme.name, totals, grouped.get(theme.key, {}), metrics)
            for theme in themes
        ]
        return sorted(figures, key=lambda found: (-found.mentions, found.name.casefold()))

    async def trend(
        self, key: str, criteria: AnalyticsFilter, interval: Interval, timezone: str
    ) -> list[ThemePoint]:
        """One theme's figures per local day, week (from Monday) or month in
        `timezone`; periods without data come with zero counts. Needs both ends of the
        range; an unknown theme is `NotFound`."""
        local = periods(criteria, interval, timezone)
        theme = await self._theme(key)
        metrics = await metrics_in_scope(criteria)
        overall = Plan(ROLLUPS, criteria, local.bounds)
        mentioned = Plan(THEME_ROLLUPS, criteria, local.bounds, match={"theme": theme.key})
        everyone, themes = await _read_both(overall, mentioned)
        return [
            ThemePoint(
                *local.point_bounds(i),
                figures=ThemeFigures.of(
                    theme.key,
                    theme.name,
                    _by_metric(everyone[i]),
                    _by_metric(themes[i]),
                    metrics,
                ),
            )
            for i in range(len(local.edges) - 1)
        ]

    async def emerging(
        self, criteria: AnalyticsFilter, significance: float = SIGNIFICANCE
    ) -> list[EmergingTheme]:
        """The themes whose share of comments under the filter is higher than in the
        period of the same length just before, each with the two-proportion test of
        the change; significant ones (p below `significance`) first, then by p-value.
        Needs both ends of the range."""
        if not 0 < significance < 1:
            raise ValidationFailed(
                ErrorCode.INVALID_INPUT,
                "significance must be between 0 and 1.",
                "significance",
            )
        if criteria.date_from is None or criteria.date_to is None:
            raise ValidationFailed(
                ErrorCode.INVALID_INPUT, "Emerging themes need dateFrom and dateTo.", "filter"
            )
        start, end = floor_slot(criteria.date_from), floor_slot(criteria.date_to)
        if end <= start:
            raise ValidationFailed(
                ErrorCode.INVALID_INPUT, "dateTo must be after dateFrom.", "filter.dateTo"
            )
        themes = await self.catalog.themes()
        bounds: list[datetime | None] = [start - (end - start), start, end]
        overall = Plan(ROLLUPS, criteria, bounds)
        mentioned = Plan(THEME_ROLLUPS, criteria, bounds, group="theme")
        everyone, by_theme = await _read_both(overall, mentioned)
        comments = [sum(t.comments for t in period.values()) for period in everyone]
        grouped = [_by_theme(period) for period in by_theme]
        found: list[EmergingTheme] = []
        for theme in themes:
            before, now = (
                sum(t.responses for t in period.get(theme.key, {}).values()) for period in grouped
            )
            test = two_proportion_test(before, comments[0], now, comments[1])
            if test is None or test.current <= test.previous:
                continue
            found.append(
                EmergingTheme(
                    key=theme.key,
                    name=theme.name,
                    mentions=now,
                    comments=comments[1],
                    share_pct=percent(now, comments[1]) or 0.0,
                    previous_mentions=before,
                    previous_comments=comments[0],
                    previous_share_pct=percent(before, comments[0]) or 0.0,
                    z=test.z,
                    p_value=test.p_value,
                    significant=test.p_value < significance,
                )
            )
        return sorted(found, key=lambda theme: (not theme.significant, theme.p_value, -theme.z))
