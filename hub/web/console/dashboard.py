"""/console/dashboard: a survey's or a metric's score with its interval, counts and
response rate, the trend, the score distribution, breakdowns and themes for a period
in a time zone. Every figure is the API's (`view.query`, as the signed-in person);
the filter lives in the address so a view can be shared."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from hub.services.access import roles as access
from hub.web.console import charts
from hub.web.console.api import ApiFailed
from hub.web.console.dashboard_figures import (
    DIMENSIONS,
    breakdown_rows,
    distribution_bars,
    headline,
    scale_of,
    trend_points,
)
from hub.web.console.dashboard_filter import DashboardFilter, FilterError, parse
from hub.web.console.view import ConsolePage, ConsoleView, PageError

SURVEYS = """
query DashboardSurveys { surveys { key metric product status } }
"""

_FIGURES = """
  nps { n promoters passives detractors promotersPct passivesPct detractorsPct
        score intervalLow intervalHigh }
  csat { n satisfied satisfiedPct mean }
  ces { n mean easy easyPct }
"""

SUMMARY = f"""
query DashboardSummary($filter: AnalyticsFilter) {{
  metricSummary(filter: $filter) {{
    displays responses comments declines responseRate commentRate declineRate
    {_FIGURES}
  }}
  scoreDistribution(filter: $filter) {{ metric score count }}
}}
"""

TREND = f"""
query DashboardTrend($filter: AnalyticsFilter!, $interval: TrendInterval!, $timezone: String!) {{
  metricTrend(filter: $filter, interval: $interval, timezone: $timezone) {{
    start end
    summary {{ displays responses comments responseRate {_FIGURES} }}
  }}
}}
"""

_GROUP = f"key other groups summary {{ displays responses comments responseRate {_FIGURES} }}"

BREAKDOWNS = f"""
query DashboardBreakdowns($filter: AnalyticsFilter) {{
  product: metricBreakdown(by: PRODUCT, filter: $filter, top: 10) {{ {_GROUP} }}
  country: metricBreakdown(by: COUNTRY, filter: $filter, top: 10) {{ {_GROUP} }}
  channel: metricBreakdown(by: CHANNEL, filter: $filter, top: 10) {{ {_GROUP} }}
  company: metricBreakdown(by: COMPANY, filter: $filter, top: 10) {{ {_GROUP} }}
}}
"""

_IMPACT = "n mentions overall without impact intervalLow intervalHigh"

THEMES = f"""
query DashboardThemes($filter: AnalyticsFilter) {{
  themeSummary(filter: $filter) {{
    key name mentions comments sharePct
    npsImpact {{ {_IMPACT} }} csatImpact {{ {_IMPACT} }} cesImpact {{ {_IMPACT} }}
  }}
}}
"""

# The API's codes for a filter it cannot use: the page answers 400, not 503.
_BAD_INPUT = frozenset({"INVALID_INPUT", "NOT_FOUND", "QUERY_TOO_EXPENSIVE"})


def _bad_filter(view: ConsoleView, error: FilterError) -> PageError:
    text = view.text
    reason = text[error.reason_key] if error.reason_key else error.message
    label = text[f"dashboard_field_{error.field}"]
    return PageError(
        400, "dashboard_bad_filter_title", "dashboard_bad_filter_body", f"{label}: {reason}"
    )


async def _query(view: ConsoleView, document: str, **variables: Any) -> dict[str, Any]:
    """`view.query`, with the API's refusals of the filter (bad range, too many
    periods, too costly) as the 400 page that names the period."""
    try:
        return await view.query(document, **variables)
    except ApiFailed as failed:
        refused = [error for error in failed.errors if error.code in _BAD_INPUT]
        if not refused:
            raise
        raise FilterError("period", message=refused[0].message) from None


async def dashboard(view: ConsoleView) -> Response:
    try:
        return await _page(view)
    except FilterError as error:
        raise _bad_filter(view, error) from None


async def _page(view: ConsoleView) -> Response:
    params: dict[str, list[str]] = {}
    for name, value in view.request.query_params.multi_items():
        params.setdefault(name, []).append(value)
    chosen = parse(params, view.services.clock.now())
    surveys = sorted((await view.query(SURVEYS))["surveys"], key=lambda s: s["key"])
    if chosen.survey is not None:
        survey = next((s for s in surveys if s["key"] == chosen.survey), None)
        if survey is None:
            raise FilterError("survey", "dashboard_reason_survey")
        chosen = DashboardFilter(
            chosen.survey, survey["metric"], chosen.start, chosen.end, chosen.tz, chosen.grain
        )
    criteria = chosen.api_filter()
    summary_data = await _query(view, SUMMARY, filter=criteria)
    trend_data = await _query(
        view, TREND, filter=criteria, interval=chosen.grain.upper(), timezone=chosen.tz
    )
    breakdown_data = await _query(view, BREAKDOWNS, filter=criteria)
    theme_data = await _query(view, THEMES, filter=criteria)
    return view.render(
        "console/dashboard.html",
        **_values(view, chosen, surveys, summary_data, trend_data, breakdown_data, theme_data),
    )


def _values(
    view: ConsoleView,
    chosen: DashboardFilter,
    surveys: list[dict[str, Any]],
    summary_data: dict[str, Any],
    trend_data: dict[str, Any],
    breakdown_data: dict[str, Any],
    theme_data: dict[str, Any],
) -> dict[str, Any]:
    text = view.text
    metric = chosen.metric
    summary = summary_data["metricSummary"]
    low, high = scale_of(metric)
    points = trend_points(metric, trend_data["metricTrend"], chosen.grain)
    scope = chosen.survey or text[f"dashboard_all_{metric.lower()}"]
    period = text["dashboard_period"].format(
        start=chosen.start.isoformat(), end=chosen.end.isoformat(), tz=chosen.tz
    )
    trend_chart = charts.line_chart(
        [point.chart for point in points],
        chart_id="trend",
        title=text[f"dashboard_trend_title_{metric.lower()}"].format(scope=scope),
        description=text["dashboard_trend_desc"].format(
            period=period, count=len(points), grain=text[f"dashboard_grain_{chosen.grain}"]
        ),
        low=low,
        high=high,
        language=view.language,
    )
    bars = distribution_bars(metric, summary_data["scoreDistribution"])
    distribution_chart = charts.bar_chart(
        [bar.chart for bar in bars],
        chart_id="distribution",
        title=text["dashboard_distribution_title"].format(scope=scope),
        description=text["dashboard_distribution_desc"].format(
            period=period, responses=sum(bar.count for bar in bars)
        ),
        language=view.language,
    )
    breakdowns = [
        (dimension, breakdown_rows(metric, breakdown_data[dimension])) for dimension in DIMENSIONS
    ]
    impact_field = {"NPS": "npsImpact", "CSAT": "csatImpact", "CES": "cesImpact"}[metric]
    themes = [
        {**theme, "impact": theme[impact_field]}
        for theme in theme_data["themeSummary"]
        if theme["mentions"] > 0
    ]
    return {
        "filter": chosen,
        "surveys": surveys,
        "metric": metric,
        "scope": scope,
        "period": period,
        "summary": summary,
        "headline": headline(metric, summary),
        "points": points,
        "trend_chart": trend_chart,
        "bars": bars,
        "distribution_chart": distribution_chart,
        "breakdowns": breakdowns,
        "themes": themes,
        "grains": ("day", "week", "month"),
        "metrics": ("NPS", "CSAT", "CES"),
    }


PAGES = (ConsolePage("/dashboard", dashboard, access.READERS),)
