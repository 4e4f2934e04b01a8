"""/console/dashboard: its figures are the API's for the same filter, the filter lives
in the address, a bad filter is a 400 that names the field, and every reader role
may open it."""

from __future__ import annotations

import pytest

from hub.clock import FrozenClock
from hub.models.common import Role
from hub.models.response import Response
from hub.services import Services
from tests.support.console import ConsoleClient, text_of
from tests.support.console_dashboard import DASH, answer_surveys, figure, number, table_rows
from tests.support.graphql import GraphQLClient
from tests.support.theme_tags import define_themes, tag

SUMMARY = """
query Summary($filter: AnalyticsFilter) {
  metricSummary(filter: $filter) {
    displays responses comments responseRate
    nps { n score intervalLow intervalHigh }
    csat { n satisfiedPct mean }
    ces { n mean easyPct }
  }
  scoreDistribution(filter: $filter) { metric score count }
}
"""

TREND = """
query Trend($filter: AnalyticsFilter!, $interval: TrendInterval!, $timezone: String!) {
  metricTrend(filter: $filter, interval: $interval, timezone: $timezone) {
    start summary { responses nps { score intervalLow intervalHigh } }
  }
}
"""

BREAKDOWN = """
query Breakdown($by: BreakdownDimension!, $filter: AnalyticsFilter) {
  metricBreakdown(by: $by, filter: $filter) {
    key other summary { responses responseRate nps { score } }
  }
}
"""


@pytest.fixture
def slack_sign_in() -> bool:
    return False


@pytest.fixture
async def answered(services: Services, clock: FrozenClock) -> None:
    await answer_surveys(services, clock)


@pytest.fixture
async def viewer(console: ConsoleClient, services: Services) -> ConsoleClient:
    _, token = await services.keys.create(Role.VIEWER, "Vera the viewer")
    assert (await console.sign_in_with_key(token)).status_code == 303
    return console


@pytest.fixture
async def api(console: ConsoleClient, services: Services) -> GraphQLClient:
    _, token = await services.keys.create(Role.VIEWER, "the same figures")
    return GraphQLClient(console.http, {Role.VIEWER: token})


def _one_decimal(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


async def test_the_figures_are_the_apis_for_the_default_period(
    answered: None, viewer: ConsoleClient, api: GraphQLClient
) -> None:
    page = await viewer.open("/console/dashboard")
    # The default: every NPS survey, the last 90 days up to today (UTC), per day.
    criteria = {
        "metric": "NPS",
        "dateFrom": "2025-12-21T00:00:00+00:00",
        "dateTo": "2026-03-21T00:00:00+00:00",
    }
    data = await api.ok(SUMMARY, {"filter": criteria}, Role.VIEWER)
    summary = data["metricSummary"]
    assert summary["responses"] == 6
    assert number(figure(page, "score")) == _one_decimal(summary["nps"]["score"])
    low, high = summary["nps"]["intervalLow"], summary["nps"]["intervalHigh"]
    assert figure(page, "interval") == f"95% interval {low:.1f} to {high:.1f}"
    assert number(figure(page, "responses")) == summary["responses"]
    assert number(figure(page, "comments")) == summary["comments"]
    assert number(figure(page, "response-rate")) == _one_decimal(summary["responseRate"])
    assert "8 displays → 6 responses" in text_of(page)

    trend = await api.ok(
        TREND, {"filter": criteria, "interval": "DAY", "timezone": "UTC"}, Role.VIEWER
    )
    rows = table_rows(page, "trend-table")
    assert len(rows) == len(trend["metricTrend"]) == 90
    for row, point in zip(rows, trend["metricTrend"], strict=True):
        nps = point["summary"]["nps"] or {}
        assert row[0] == point["start"][:10]
        assert int(row[1]) == point["summary"]["responses"]
        assert number(row[2]) == _one_decimal(nps.get("score"))
        if nps.get("intervalLow") is None:
            assert row[3] == DASH
        else:
            assert row[3] == f"{nps['intervalLow']:.1f} {DASH} {nps['intervalHigh']:.1f}"

    counts = {
        str(c["score"]): c["count"] for c in data["scoreDistribution"] if c["metric"] == "NPS"
    }
    shown = {row[0]: int(row[2]) for row in table_rows(page, "distribution-table")}
    assert shown == counts
    assert shown["10"] == 2

    for dimension in ("PRODUCT", "COUNTRY", "CHANNEL", "COMPANY"):
        groups = (await api.ok(BREAKDOWN, {"by": dimension, "filter": criteria}, Role.VIEWER))[
            "metricBreakdown"
        ]
        rows = table_rows(page, f"breakdown-{dimension.lower()}")
        assert [row[0] for row in rows] == [group["key"] for group in groups], dimension
        for row, group in zip(rows, groups, strict=True):
            assert int(row[1]) == group["summary"]["responses"]
            assert number(row[2]) == _one_decimal(group["summary"]["nps"]["score"])


async def test_a_survey_sets_the_metric_and_the_filter_round_trips(
    answered: None, viewer: ConsoleClient, api: GraphQLClient
) -> None:
    address = (
        "/console/dashboard?survey=csat-help&metric=NPS&from=2026-03-01&to=2026-03-31"
        "&tz=Europe%2FOslo&grain=week"
    )
    page = await viewer.open(address)
    criteria = {
        "surveyKeys": ["csat-help"],
        "dateFrom": "2026-03-01T00:00:00+01:00",
        "dateTo": "2026-04-01T00:00:00+02:00",
    }
    summary = (await api.ok(SUMMARY, {"filter": criteria}, Role.VIEWER))["metricSummary"]
    assert summary["csat"]["n"] == 3
    assert number(figure(page, "score")) == _one_decimal(summary["csat"]["satisfiedPct"])
    assert number(figure(page, "responses")) == 3
    # The form shows the filter the address asked for, the survey's metric chosen.
    assert '<option value="csat-help" selected>' in page
    assert '<option value="CSAT" selected>' in page
    assert 'name="from" type="date" value="2026-03-01"' in page
    assert 'name="to" type="date" value="2026-03-31"' in page
    assert 'name="tz" type="text" value="Europe/Oslo"' in page
    assert '<option value="week" selected>' in page
    # Weeks from Monday in Oslo: 23 February (the week 1 March is in) to 30 March.
    weeks = [row[0] for row in table_rows(page, "trend-table")]
    assert weeks == [
        "2026-02-23",
        "2026-03-02",
        "2026-03-09",
        "2026-03-16",
        "2026-03-23",
        "2026-03-30",
    ]


async def test_ces_shows_its_mean_and_share_of_easy_answers(
    answered: None, viewer: ConsoleClient, api: GraphQLClient
) -> None:
    page = await viewer.open("/console/dashboard?metric=CES&from=2026-03-01&to=2026-03-20")
    criteria = {
        "metric": "CES",
        "dateFrom": "2026-03-01T00:00:00+00:00",
        "dateTo": "2026-03-21T00:00:00+00:00",
    }
    data = await api.ok(SUMMARY, {"filter": criteria}, Role.VIEWER)
    ces = data["metricSummary"]["ces"]
    assert ces["n"] == 3
    assert figure(page, "score") == f"{ces['mean']:.2f}"
    assert f"{ces['easyPct']:.1f} % easy" in text_of(page)
    shown = {row[0]: int(row[2]) for row in table_rows(page, "distribution-table")}
    assert shown == {
        str(c["score"]): c["count"] for c in data["scoreDistribution"] if c["metric"] == "CES"
    }
    assert list(shown) == ["1", "2", "3", "4", "5", "6", "7"]
    assert '<option value="CES" selected>' in page
    assert "every CES survey" in text_of(page)


async def test_the_time_zone_moves_an_answer_to_the_local_day(
    answered: None, viewer: ConsoleClient
) -> None:
    # Scored 23:00 UTC on 1 March: 2 March in Oslo.
    utc = table_rows(
        await viewer.open("/console/dashboard?from=2026-03-01&to=2026-03-02"), "trend-table"
    )
    oslo = table_rows(
        await viewer.open("/console/dashboard?from=2026-03-01&to=2026-03-02&tz=Europe/Oslo"),
        "trend-table",
    )
    assert [(row[0], row[1]) for row in utc] == [("2026-03-01", "1"), ("2026-03-02", "0")]
    assert [(row[0], row[1]) for row in oslo] == [("2026-03-01", "0"), ("2026-03-02", "1")]


async def test_a_period_without_answers_says_so_and_still_draws_its_charts(
    answered: None, viewer: ConsoleClient
) -> None:
    page = await viewer.open("/console/dashboard?from=2025-01-01&to=2025-01-31")
    assert "No responses in this period." in text_of(page)
    assert figure(page, "score") == DASH
    assert figure(page, "response-rate") == DASH
    assert page.count('role="img"') == 2
    assert "No theme was mentioned in this period." in text_of(page)


async def test_the_page_marks_its_live_figures_and_obeys_the_csp(
    answered: None, viewer: ConsoleClient
) -> None:
    response = await viewer.get("/console/dashboard")
    page = response.text
    assert "style-src 'self'" in response.headers["content-security-policy"]
    assert 'data-live="responses"' in page
    assert " style=" not in page and "<style" not in page
    assert "<script>" not in page and " on" + "click=" not in page
    assert '<link rel="stylesheet" href="/console/static/dashboard.css?v=' in page
    for chart in ("trend", "distribution"):
        assert f'aria-labelledby="{chart}-title {chart}-desc"' in page
    assert page.count("<details>") == 2
    assert (await viewer.get("/console/static/dashboard.css")).status_code == 200


BAD_FILTERS = [
    ("from=2026-02-30", "From: not a date (YYYY-MM-DD)."),
    ("to=yesterday", "To: not a date (YYYY-MM-DD)."),
    ("from=2026-03-10&to=2026-03-01", "From: must not be after the end date."),
    ("tz=Mars/Olympus", "Time zone: Not an IANA time zone name."),
    ("tz=America", "Time zone: Not an IANA time zone name."),
    ("survey=no-such-survey", "Survey: no such survey."),
    ("metric=ABC", "Metric: must be NPS, CSAT or CES."),
    ("grain=hour", "Trend per: must be day, week or month."),
    ("from=2016-01-01&to=2026-01-01", "From: the period may be at most three years."),
    ("from=0001-01-01&to=0001-02-01", "From: not a date (YYYY-MM-DD)."),
    ("grain=day&grain=week", "Trend per: give it once."),
    # Within three years, but more periods than a trend has (the API's refusal).
    (
        "from=2023-06-01&to=2026-03-20&grain=day",
        "Period (from, to): A trend has at most 1000 periods; narrow the range.",
    ),
    ("survey=%00", "Survey:"),
]


@pytest.mark.parametrize(("query", "message"), BAD_FILTERS)
async def test_a_bad_filter_is_a_400_that_names_the_field(
    answered: None, viewer: ConsoleClient, query: str, message: str
) -> None:
    response = await viewer.get(f"/console/dashboard?{query}")
    assert response.status_code == 400
    text = text_of(response.text)
    assert "This filter cannot be shown" in text
    assert message in text


@pytest.mark.parametrize("role", [Role.VIEWER, Role.AGENT, Role.PRIVACY_OFFICER, Role.ADMIN])
async def test_every_reader_role_opens_it(
    answered: None, console: ConsoleClient, services: Services, role: Role
) -> None:
    _, token = await services.keys.create(role, f"a {role.value}")
    await console.sign_in_with_key(token)
    page = await console.open("/console/dashboard?survey=nps-main")
    assert figure(page, "responses") == "6"
    assert 'href="/console/dashboard" aria-current="page"' in page


async def test_a_widget_key_cannot_sign_in_and_nobody_unsigned_sees_figures(
    answered: None, console: ConsoleClient, services: Services
) -> None:
    _, token = await services.keys.create(Role.WIDGET, "the widget")
    assert (await console.sign_in_with_key(token)).status_code == 401
    response = await console.get("/console/dashboard?survey=nps-main")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/console/sign-in?next=%2Fconsole%2Fdashboard")


async def test_another_language(answered: None, viewer: ConsoleClient) -> None:
    response = await viewer.http.get(
        "/console/dashboard?grain=bad", headers={"accept-language": "nb-NO"}
    )
    assert response.status_code == 400
    assert "Trend per: må være dag (day), uke (week) eller måned (month)." in text_of(response.text)
    page = (await viewer.http.get("/console/dashboard", headers={"accept-language": "fi"})).text
    assert "Vastausprosentti" in page


async def test_figures_are_written_with_the_languages_decimal_comma(
    answered: None, viewer: ConsoleClient, api: GraphQLClient
) -> None:
    criteria = {
        "metric": "NPS",
        "dateFrom": "2025-12-21T00:00:00+00:00",
        "dateTo": "2026-03-21T00:00:00+00:00",
    }
    nps = (await api.ok(SUMMARY, {"filter": criteria}, Role.VIEWER))["metricSummary"]["nps"]
    english = await viewer.open("/console/dashboard")
    spanish = (
        await viewer.http.get("/console/dashboard", headers={"accept-language": "es-ES"})
    ).text

    point = f"{nps['score']:.1f}"
    assert "." in point  # the figure has decimals to write
    assert figure(english, "score") == point
    assert figure(spanish, "score") == point.replace(".", ",")
    low, high = nps["intervalLow"], nps["intervalHigh"]
    assert f"{low:.1f}".replace(".", ",") in figure(spanish, "interval")
    assert f"{high:.1f}".replace(".", ",") in figure(spanish, "interval")


THEMES = """
query Themes($filter: AnalyticsFilter) {
  themeSummary(filter: $filter) { key name mentions sharePct npsImpact { impact } }
}
"""


async def test_the_themes_table_is_the_apis_theme_summary(
    answered: None, services: Services, viewer: ConsoleClient, api: GraphQLClient
) -> None:
    await define_themes("billing", "speed", "unused")
    commented = (
        await Response.find(
            Response.survey_key == "nps-main",
            Response.comment != None,  # noqa: E711
        )
        .sort("answered_at")
        .to_list()
    )
    assert len(commented) == 3
    for response, keys in zip(commented, (["speed"], ["billing", "speed"], []), strict=True):
        await tag(services.analytics.theme_listener, response.id, keys)
    page = await viewer.open("/console/dashboard?survey=nps-main")
    criteria = {
        "surveyKeys": ["nps-main"],
        "dateFrom": "2025-12-21T00:00:00+00:00",
        "dateTo": "2026-03-21T00:00:00+00:00",
    }
    themes = (await api.ok(THEMES, {"filter": criteria}, Role.VIEWER))["themeSummary"]
    mentioned = [theme for theme in themes if theme["mentions"]]
    rows = table_rows(page, "themes-table")
    assert (
        [row[0] for row in rows] == [theme["name"] for theme in mentioned] == ["Speed", "Billing"]
    )
    for row, theme in zip(rows, mentioned, strict=True):
        assert int(row[1]) == theme["mentions"]
        assert row[2] == f"{theme['sharePct']:.1f} %"
        impact = theme["npsImpact"]["impact"]
        assert row[3].split(" ")[0] == (DASH if impact is None else f"{impact:+.1f}")
