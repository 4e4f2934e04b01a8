"""Theme analytics from the theme rollups: mentions, share, the metric among them,
impact with its interval, trends and emerging themes; kept through tag changes,
restriction, erasure and rebuilds; read with a bounded number of round trips."""

from __future__ import annotations

import asyncio
import itertools
import math
import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from bson import SON

from hub.clock import FrozenClock
from hub.db import Database
from hub.errors import NotFound, ValidationFailed
from hub.models.common import Channel, Metric
from hub.models.response import Response
from hub.models.theme_rollup import ThemeDailyRollup, ThemeHourlyRollup, ThemeSlotRollup
from hub.services import Services
from hub.services.analytics import rebuild
from hub.services.analytics.criteria import AnalyticsFilter, Interval
from hub.services.analytics.figures import Z95, Tally
from hub.services.analytics.folder import RollupFolder
from hub.services.analytics.significance import two_proportion_test
from hub.services.analytics.stores import rollup_changes
from hub.services.analytics.theme_figures import Impact, ThemeFigures
from hub.services.privacy.execution import Identity
from tests.factories import context, make_survey, person
from tests.support.commands import counting_commands
from tests.support.theme_tags import define_themes, tag

_users = itertools.count(5000)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


async def answer(
    services: Services,
    clock: FrozenClock,
    at: datetime,
    score: int,
    themes: list[str] | None = None,
    survey_key: str = "nps-main",
    user: int | None = None,
    comment: str | None = "Because.",
    **where: Any,
) -> str:
    """A display and score at `at` with a comment, tagged with `themes`; the id."""
    clock.set(at)
    display = await services.responses.record_display(
        survey_key, person(user or next(_users)), Channel.IN_APP_WEB, context(**where), "en"
    )
    response = await services.responses.submit_score(str(display.id), score)
    if comment is not None:
        await services.responses.submit_comment(str(response.id), comment)
    if themes:
        await tag(services.analytics.theme_listener, response.id, themes)
    return str(response.id)


def of(found: list[ThemeFigures], key: str) -> ThemeFigures:
    return next(figures for figures in found if figures.key == key)


async def theme_rows() -> list[tuple[Any, ...]]:
    """The theme rollups as sorted rows, cells with only zeros left out."""
    rows = []
    for model in (ThemeDailyRollup, ThemeHourlyRollup, ThemeSlotRollup):
        async for doc in model.get_pymongo_collection().find({}, {"_id": 0}):
            scores = tuple(sorted((k, v) for k, v in (doc.get("scores") or {}).items() if v))
            if not doc.get("mentions") and not doc.get("score_sum") and not scores:
                continue
            rest = tuple(sorted((k, v) for k, v in doc.items() if k != "scores" and v != 0))
            rows.append((model.Settings.name, rest, scores))
    return sorted(rows, key=repr)


# The hand-worked example of docs/themes.md: ten NPS answers, three mention billing.
BILLING = [2, 5, 9]
OTHERS = [10, 10, 9, 8, 7, 3, 10]


async def test_summary_gives_mentions_share_metric_and_impact_as_worked_by_hand(
    services: Services, clock: FrozenClock
) -> None:
    await make_survey(services)
    await define_themes("billing", "support")
    at = utc(2026, 3, 2, 9)
    for score in BILLING:
        await answer(services, clock, at, score, ["billing"])
    for score in OTHERS:
        await answer(services, clock, at, score)

    found = await services.analytics.themes.summary(AnalyticsFilter(survey_keys=["nps-main"]))

    assert [figures.key for figures in found] == ["billing", "support"]
    billing = of(found, "billing")
    assert (billing.mentions, billing.comments, billing.share_pct) == (3, 10, 30.0)
    assert billing.nps is not None and (billing.nps.promoters, billing.nps.detractors) == (1, 2)
    assert billing.nps.score == pytest.approx(-100 / 3)
    assert billing.csat is None and billing.csat_impact is None
    impact = billing.nps_impact
    assert impact is not None
    # All: 5 promoters, 3 detractors of 10: +20. Without billing: 4 and 1 of 7: +300/7.
    assert impact.overall == pytest.approx(20.0)
    assert impact.without == pytest.approx(300 / 7)
    assert impact.impact == pytest.approx(20 - 300 / 7)
    # w = 0.3, b = 300/7, b/(1-w) = 61.2245: the gradients are -161.2245 (two billing
    # detractors), 38.7755 (the billing promoter), -42.857 (four promoters without),
    # 0 (two passives) and +42.857 (a detractor without): mean -41.2245, mean square
    # 6267.38, so Var = (6267.38 - 1699.46) / 10 = 456.79, sd 21.3727.
    assert impact.interval_low == pytest.approx(20 - 300 / 7 - Z95 * 21.372716, abs=1e-4)
    assert impact.interval_high == pytest.approx(20 - 300 / 7 + Z95 * 21.372716, abs=1e-4)
    support = of(found, "support")
    assert (support.mentions, support.comments, support.share_pct) == (0, 10, 0.0)
    assert support.nps_impact is not None and support.nps_impact.impact == 0.0


def test_impact_of_csat_and_ces_is_the_change_of_their_headline_figure() -> None:
    overall = Tally(responses=4, scores=[0, 1, 0, 0, 2, 1, 0, 0, 0, 0, 0])  # 1, 4, 4, 5
    mentioned = Tally(responses=2, scores=[0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0])  # 1, 4

    csat = Impact.of(Metric.CSAT, overall, mentioned)
    ces = Impact.of(Metric.CES, overall, mentioned)

    assert (csat.overall, csat.without, csat.impact) == (75.0, 100.0, -25.0)
    assert ces.overall == pytest.approx(3.5) and ces.without == pytest.approx(4.5)
    assert ces.impact == pytest.approx(-1.0)
    assert csat.interval_low is not None and csat.interval_low < -25.0


def test_impact_is_null_when_every_response_mentions_the_theme() -> None:
    everyone = Tally(responses=2, scores=[0] * 9 + [2, 0])

    impact = Impact.of(Metric.NPS, everyone, everyone)

    assert (impact.overall, impact.without, impact.impact) == (100.0, None, None)
    assert Impact.of(Metric.NPS, Tally(), Tally()).overall is None


def test_the_interval_covers_the_true_impact_about_95_times_in_100() -> None:
    # A population where 20% mention the theme: NPS -40 among them, +50 among the rest,
    # so the true impact is 0.2 * (-40 - 50) = -18 points.
    rng = random.Random(19)
    covered = 0
    for _ in range(1000):
        overall, mentioned = Tally(), Tally()
        for _ in range(400):
            theme = rng.random() < 0.2
            band = rng.random()
            score = (
                (0 if band < 0.6 else 10 if band < 0.8 else 8)
                if theme
                else (10 if band < 0.6 else 0 if band < 0.7 else 8)
            )
            for tally in (overall, mentioned) if theme else (overall,):
                tally.responses += 1
                tally.scores[score] += 1
        impact = Impact.of(Metric.NPS, overall, mentioned)
        assert impact.interval_low is not None and impact.interval_high is not None
        covered += impact.interval_low <= -18 <= impact.interval_high
    assert 0.93 <= covered / 1000 <= 0.97


async def test_a_mention_counts_before_the_folder_runs_and_once_after(
    services: Services, clock: FrozenClock
) -> None:
    await make_survey(services)
    await define_themes("billing")
    await answer(services, clock, utc(2026, 3, 2, 9, 20), 3, ["billing"])

    waiting = of(await services.analytics.themes.summary(AnalyticsFilter()), "billing")
    await services.analytics.fold()
    folded = of(await services.analytics.themes.summary(AnalyticsFilter()), "billing")

    assert waiting == folded
    assert (folded.mentions, folded.comments) == (1, 1)
    assert await rollup_changes.backlog() == 0


async def test_changed_tags_move_the_mentions_from_one_theme_to_another(
    services: Services, clock: FrozenClock
) -> None:
    await make_survey(services)
    await define_themes("billing", "support", "pricing")
    response = await answer(services, clock, utc(2026, 3, 2, 9), 9, ["billing", "support"])
    await services.analytics.fold()

    await tag(services.analytics.theme_listener, response, ["support", "pricing"])
    found = await services.analytics.themes.summary(AnalyticsFilter())

    assert [(f.key, f.mentions) for f in found] == [
        ("pricing", 1),
        ("support", 1),
        ("billing", 0),
    ]
    # One change taken away (billing), one added (pricing); support untouched.
    assert await rollup_changes.backlog() == 2


async def test_restriction_takes_the_mentions_out_and_lifting_puts_them_back(
    services: Services, clock: FrozenClock
) -> None:
    await make_survey(services)
    await define_themes("billing", "support")
    await answer(services, clock, utc(2026, 3, 2, 9), 2, ["billing", "support"], user=7001)
    await answer(services, clock, utc(2026, 3, 2, 10), 10, ["support"], user=7002)
    await services.analytics.fold()
    person_7001 = Identity(user_ids=("user-7001",))

    restricted = await services.analytics.exclude_person("user-7001")
    waiting = rollup_changes.STORE.collection()
    theme_changes = await waiting.count_documents({"theme": {"$ne": None}, "mentions": -1})
    during = await services.analytics.themes.summary(AnalyticsFilter())
    # A re-tag while the person is out of analytics records nothing.
    (stored,) = await Response.find({"user.id": "user-7001"}).to_list()
    await tag(services.analytics.theme_listener, stored.id, ["billing"])
    lifted = await services.subject_hooks.lift(person_7001)
    after = await services.analytics.themes.summary(AnalyticsFilter())

    assert (restricted.responses, restricted.theme_mentions) == (1, 2)
    assert theme_changes == 2
    assert [(f.key, f.mentions, f.comments) for f in during] == [
        ("support", 1, 1),
        ("billing", 0, 1),
    ]
    assert lifted == {"analytics_rollups": 2}
    # Back with the tags it holds now: billing only.
    assert [(f.key, f.mentions, f.comments) for f in after] == [
        ("billing", 1, 2),
        ("support", 1, 2),
    ]


async def test_erasure_takes_the_mentions_out(services: Services, clock: FrozenClock) -> None:
    await make_survey(services)
    await define_themes("billing")
    await answer(services, clock, utc(2026, 3, 2, 9), 2, ["billing"], user=7101)
    await answer(services, clock, utc(2026, 3, 2, 9), 9, ["billing"], user=7102)

    erased = await services.subject_hooks.erase(Identity(user_ids=("user-7101",)))
    await services.analytics.fold()
    billing = of(await services.analytics.themes.summary(AnalyticsFilter()), "billing")

    assert erased == {"analytics_rollups": 2}
    assert (billing.mentions, billing.comments) == (1, 1)
    assert billing.nps is not None and billing.nps.promoters == 1


async def test_rebuilt_theme_rollups_equal_the_ones_kept_on_write(
    services: Services, clock: FrozenClock
) -> None:
    await make_survey(services)
    await make_survey(services, key="csat", metric=Metric.CSAT, product="Payroll")
    await define_themes("billing", "support", "pricing")
    rng = random.Random(1919)
    at = utc(2026, 3, 1)
    ids = []
    for number in range(40):
        at += timedelta(minutes=rng.randint(1, 500))
        survey_key = rng.choice(["nps-main", "csat"])
        low, high = (0, 10) if survey_key == "nps-main" else (1, 5)
        themes = rng.sample(["billing", "support", "pricing"], rng.randint(0, 2))
        ids.append(
            await answer(
                services,
                clock,
                at,
                rng.randint(low, high),
                themes,
                survey_key=survey_key,
                user=8000 + number,
                country=rng.choice(["NO", "SE"]),
            )
        )
    await services.analytics.fold()
    kept = await theme_rows()
    report = await services.analytics.rebuild()
    rebuilt = await theme_rows()
    # Changes still waiting when the rebuild runs: re-tags and a person taken out.
    for response_id in ids[:5]:
        await tag(services.analytics.theme_listener, response_id, ["pricing"])
    await services.analytics.exclude_person("user-8003")
    before = await services.analytics.themes.summary(AnalyticsFilter())
    await services.analytics.rebuild()
    during = await services.analytics.themes.summary(AnalyticsFilter())
    await services.analytics.fold()
    folded = await theme_rows()
    await services.analytics.rebuild()
    everything = await theme_rows()
    await services.analytics.rebuild("csat")  # one survey's, replaced in place

    assert rebuilt == kept and kept
    assert report.theme_daily_rollups > 0
    assert during == before
    assert everything == folded != kept
    assert await theme_rows() == folded


async def test_rebuilds_while_comments_are_tagged_count_every_mention_once(
    services: Services, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Small chunks, so tags land between the snapshots of one rebuild.
    monkeypatch.setattr(rebuild, "CHUNK", 3)
    await make_survey(services)
    await define_themes("billing", "support", "pricing")
    keys = ["billing", "support", "pricing"]
    ids = [
        await answer(services, clock, utc(2026, 3, 2, 9, number), number % 11)
        for number in range(24)
    ]
    await services.analytics.fold()

    async def tagging() -> None:
        for number, response_id in enumerate(ids):
            await tag(services.analytics.theme_listener, response_id, keys[: number % 3 + 1])
        for response_id in ids[::4]:  # re-tagged after a change of rules
            await tag(services.analytics.theme_listener, response_id, ["pricing"])

    async def rebuilding() -> None:
        for _ in range(3):
            await services.analytics.rebuild()

    await asyncio.gather(tagging(), rebuilding())
    found = await services.analytics.themes.summary(AnalyticsFilter())
    await services.analytics.fold()
    folded = await theme_rows()
    await services.analytics.rebuild()

    stored = [tagged.theme for r in await Response.find_all().to_list() for tagged in r.themes]
    assert {f.key: f.mentions for f in found} == {key: stored.count(key) for key in keys}
    assert await theme_rows() == folded


async def stored_mentions() -> dict[str, int]:
    """Mentions per theme counted from the responses' stored tags."""
    counted = await Response.find({"analytics_excluded": {"$ne": True}}).to_list()
    found: dict[str, int] = {}
    for response in counted:
        for key in {tagged.theme for tagged in response.themes}:
            found[key] = found.get(key, 0) + 1
    return found


async def mentions(services: Services) -> dict[str, int]:
    found = await services.analytics.themes.summary(AnalyticsFilter())
    return {figures.key: figures.mentions for figures in found if figures.mentions}


async def test_a_fold_that_fails_folds_no_mention(
    services: Services, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    await make_survey(services)
    await define_themes("billing", "support")
    for number in range(4):
        await answer(
            services, clock, utc(2026, 3, 2, 9, number), 3, ["billing", "support"][: number % 2 + 1]
        )
    remove = rollup_changes.remove

    async def fail(*args: Any) -> int:
        raise RuntimeError("the process died after adding the counts")

    monkeypatch.setattr(rollup_changes, "remove", fail)
    with pytest.raises(RuntimeError):
        await services.analytics.fold()
    after_failure = await theme_rows()
    monkeypatch.setattr(rollup_changes, "remove", remove)
    await services.analytics.fold()

    assert after_failure == []
    assert await mentions(services) == await stored_mentions() == {"billing": 4, "support": 2}


async def test_every_read_during_folds_counts_each_mention_once(
    services: Services, clock: FrozenClock
) -> None:
    await make_survey(services)
    await define_themes("billing", "support")
    for number in range(12):
        themes = ["billing", "support"][: number % 3]
        await answer(services, clock, utc(2026, 3, 2, 9, number), number % 11, themes)
    truth = await stored_mentions()
    folding = asyncio.create_task(RollupFolder(services.leases, batch=2).drain())
    seen: list[dict[str, int]] = []
    while True:
        done = folding.done()
        seen.append(await mentions(services))
        if done:
            break

    assert await folding > 0
    assert all(found == truth for found in seen)


async def test_a_rebuild_with_changes_waiting_counts_them_once(
    services: Services, clock: FrozenClock
) -> None:
    await make_survey(services)
    await define_themes("billing")
    await answer(services, clock, utc(2026, 3, 2, 9), 2, ["billing"])
    await answer(services, clock, utc(2026, 3, 2, 11), 9, ["billing"])

    await services.analytics.rebuild()
    during = of(await services.analytics.themes.summary(AnalyticsFilter()), "billing")
    await services.analytics.fold()
    after = of(await services.analytics.themes.summary(AnalyticsFilter()), "billing")

    assert during.mentions == after.mentions == 2


async def test_trend_gives_mentions_and_share_per_local_day(
    services: Services, clock: FrozenClock
) -> None:
    await make_survey(services)
    await define_themes("billing")
    await answer(services, clock, utc(2026, 3, 1, 22, 30), 2, ["billing"])  # 23:30 Oslo, 1st
    await answer(services, clock, utc(2026, 3, 1, 23, 30), 9, ["billing"])  # 00:30 Oslo, 2nd
    await answer(services, clock, utc(2026, 3, 2, 12), 9)

    points = await services.analytics.themes.trend(
        "billing",
        AnalyticsFilter(date_from=utc(2026, 2, 28, 23), date_to=utc(2026, 3, 3, 23)),
        Interval.DAY,
        "Europe/Oslo",
    )

    assert [p.start.isoformat() for p in points] == [
        "2026-03-01T00:00:00+01:00",
        "2026-03-02T00:00:00+01:00",
        "2026-03-03T00:00:00+01:00",
    ]
    assert [(p.figures.mentions, p.figures.comments) for p in points] == [(1, 1), (1, 2), (0, 0)]
    assert [p.figures.share_pct for p in points] == [100.0, 50.0, None]
    assert [p.figures.nps.score if p.figures.nps else None for p in points] == [
        -100.0,
        100.0,
        None,
    ]


async def test_emerging_themes_compare_with_the_period_before(
    services: Services, clock: FrozenClock
) -> None:
    await make_survey(services)
    await define_themes("billing", "support", "pricing")
    for day in range(1, 8):  # the week before: billing now and then, support often
        for number in range(6):
            themes = ["support"] if number < 3 else (["billing"] if number == 5 and day < 3 else [])
            await answer(services, clock, utc(2026, 3, day, 9, number), 8, themes)
    for day in range(8, 15):  # this week: billing in half the comments
        for number in range(6):
            themes = ["billing"] if number < 3 else (["support"] if number == 3 else [])
            await answer(services, clock, utc(2026, 3, day, 9, number), 4, themes)

    found = await services.analytics.themes.emerging(
        AnalyticsFilter(date_from=utc(2026, 3, 8), date_to=utc(2026, 3, 15))
    )

    assert [theme.key for theme in found] == ["billing"]  # support fell, pricing stayed 0
    (billing,) = found
    assert (billing.previous_mentions, billing.previous_comments) == (2, 42)
    assert (billing.mentions, billing.comments) == (21, 42)
    expected = two_proportion_test(2, 42, 21, 42)
    assert expected is not None
    assert billing.p_value == pytest.approx(expected.p_value)
    assert billing.z == pytest.approx(expected.z)
    assert billing.significant and billing.p_value < 0.001
    assert math.isclose(billing.share_pct, 50.0)


async def test_unknown_theme_and_bad_inputs_are_refused(services: Services) -> None:
    await make_survey(services)
    await define_themes("billing")
    week = AnalyticsFilter(date_from=utc(2026, 3, 1), date_to=utc(2026, 3, 8))

    with pytest.raises(NotFound):
        await services.analytics.themes.trend("nope", week, Interval.DAY, "UTC")
    with pytest.raises(ValidationFailed):
        await services.analytics.themes.trend("billing", week, Interval.DAY, "Mars/Olympus")
    with pytest.raises(ValidationFailed):
        await services.analytics.themes.trend("billing", AnalyticsFilter(), Interval.DAY, "UTC")
    with pytest.raises(ValidationFailed):
        await services.analytics.themes.emerging(AnalyticsFilter())
    with pytest.raises(ValidationFailed):
        await services.analytics.themes.emerging(week, significance=1.5)


@pytest.mark.parametrize("days", [7, 365])
async def test_theme_queries_make_the_same_round_trips_for_a_week_and_a_year(
    services: Services, clock: FrozenClock, mongo_uri: str, database: Database, days: int
) -> None:
    await make_survey(services)
    await define_themes("billing", "support")
    await answer(services, clock, utc(2026, 2, 27, 9), 2, ["billing"])
    await services.analytics.fold()
    await answer(services, clock, utc(2026, 2, 28, 9), 9, ["support"])
    end = utc(2026, 3, 1, 15, 20)
    criteria = AnalyticsFilter(
        survey_keys=["nps-main"], date_from=end - timedelta(days=days), date_to=end
    )

    async with counting_commands(mongo_uri, database) as counter:
        await services.analytics.themes.summary(criteria)
        summary = list(counter.commands)
        counter.clear()
        points = await services.analytics.themes.trend(
            "billing", criteria, Interval.DAY, "America/New_York"
        )
        trend = list(counter.commands)
        counter.clear()
        await services.analytics.themes.emerging(criteria)
        emerging = list(counter.commands)

    assert len(points) == days + 1
    # The themes, the surveys in scope, then in one snapshot for the rollups and the
    # theme rollups each: the days, the hours and quarter-hours between each bound
    # (15:15, not on the hour) and its nearest midnight, and the changes waiting.
    assert summary == ["find", "find", *["aggregate"] * 12, "commitTransaction"]
    # A daily trend's windows are less than a day apart: read in one range of hours.
    assert trend == ["find", "find", *["aggregate"] * 10, "commitTransaction"]
    assert emerging == ["find", *["aggregate"] * 16, "commitTransaction"]


@pytest.mark.parametrize("collection", ["rollups_daily", "rollups_hourly", "rollups_slots"])
@pytest.mark.parametrize(
    "dimensions",
    [
        {"detail": "survey", "survey_key": "nps-main"},
        {"detail": "full"},
        {"detail": "survey", "theme": "billing"},
        {"detail": "survey", "theme": "billing", "survey_key": "nps-main"},
    ],
)
async def test_theme_rollup_reads_start_with_an_index_scan(
    database: Database, collection: str, dimensions: dict[str, Any]
) -> None:
    time_field = {"rollups_daily": "day", "rollups_hourly": "hour", "rollups_slots": "slot"}
    january = {"$gte": utc(2026, 1, 1), "$lt": utc(2026, 2, 1)}
    query = {**dimensions, time_field[collection]: january}
    find = SON([("find", f"theme_{collection}"), ("filter", query)])
    explained = await database.command("explain", find, verbosity="queryPlanner")
    plan, stages = explained["queryPlanner"]["winningPlan"], []
    while plan:
        stages.append(plan["stage"])
        plan = plan.get("inputStage") or {}

    assert "IXSCAN" in stages and "COLLSCAN" not in stages
