"""Rollups kept on every write, read back as summaries, trends and breakdowns."""

from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from bson import SON

from hub.clock import FrozenClock
from hub.db import Database
from hub.errors import ValidationFailed
from hub.models.common import Channel, Metric
from hub.models.response import Response
from hub.server.doctor import Check, check_indexes
from hub.services import Services
from hub.services.analytics import rebuild
from hub.services.analytics.criteria import AnalyticsFilter, Dimension, Interval
from hub.services.privacy.execution import Identity
from tests.factories import context, make_survey, person
from tests.support.rollups import rollup_rows

_users = itertools.count(1)


async def answer(
    services: Services,
    clock: FrozenClock,
    at: datetime,
    score: int | None,
    survey_key: str = "nps-main",
    comment: str | None = None,
    decline: bool = False,
    channel: Channel = Channel.IN_APP_WEB,
    user: int | None = None,
    **where: Any,
) -> None:
    """A display at `at`, then a score (and comment), a decline, or nothing."""
    clock.set(at)
    display = await services.responses.record_display(
        survey_key, person(user or next(_users)), channel, context(**where), "en"
    )
    if decline:
        await services.responses.decline(str(display.id))
    elif score is not None:
        response = await services.responses.submit_score(str(display.id), score)
        if comment is not None:
            await services.responses.submit_comment(str(response.id), comment)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


async def test_summary_counts_every_kind_of_write(services: Services, clock: FrozenClock) -> None:
    await make_survey(services)
    day = utc(2026, 3, 2, 12)
    await answer(services, clock, day, 10, comment="Great")
    await answer(services, clock, day, 9)
    await answer(services, clock, day, 3, comment="Slow")
    await answer(services, clock, day, None, decline=True)
    await answer(services, clock, day, None)

    summary = await services.analytics.summary(AnalyticsFilter(survey_keys=["nps-main"]))

    assert (summary.displays, summary.responses, summary.comments, summary.declines) == (
        5,
        3,
        2,
        1,
    )
    assert summary.response_rate == pytest.approx(60.0)
    assert summary.decline_rate == pytest.approx(20.0)
    assert summary.comment_rate == pytest.approx(200 / 3)
    assert summary.nps is not None
    assert summary.nps.score == pytest.approx(100 * (2 - 1) / 3)
    assert summary.csat is None


async def test_summary_filters_by_dimension_and_range(
    services: Services, clock: FrozenClock
) -> None:
    await make_survey(services)
    await make_survey(services, key="csat", metric=Metric.CSAT, product="Payroll")
    await answer(services, clock, utc(2026, 3, 2, 9), 10, country="NO", company="Acme AS")
    await answer(services, clock, utc(2026, 3, 2, 9, 20), 0, country="SE", company="Volvo")
    await answer(services, clock, utc(2026, 3, 5, 9), 5, survey_key="csat", country="NO")
    await answer(services, clock, utc(2026, 3, 9, 23, 50), 6, channel=Channel.MOBILE, country="DK")

    norway = await services.analytics.summary(AnalyticsFilter(country="no"))
    nps_only = await services.analytics.summary(AnalyticsFilter(metric=Metric.NPS))
    mobile = await services.analytics.summary(AnalyticsFilter(channel=Channel.MOBILE))
    first_days = await services.analytics.summary(
        AnalyticsFilter(date_from=utc(2026, 3, 2, 9, 15), date_to=utc(2026, 3, 9, 23, 45))
    )

    assert norway.responses == 2
    assert norway.nps is not None and norway.nps.n == 1
    assert norway.csat is not None and norway.csat.satisfied_pct == 100.0
    assert nps_only.responses == 3 and nps_only.csat is None
    assert mobile.responses == 1 and mobile.nps is not None and mobile.nps.detractors == 1
    # From 09:15 on the 2nd (quarter-hour exact) to before 23:45 on the 9th.
    assert first_days.responses == 2
    assert first_days.nps is not None and first_days.nps.n == 1
    assert first_days.csat is not None and first_days.csat.n == 1


async def test_trend_days_follow_oslo_across_the_spring_change(
    services: Services, clock: FrozenClock
) -> None:
    # Oslo moves from +01:00 to +02:00 at 01:00 UTC on 29 March 2026.
    await make_survey(services)
    await answer(services, clock, utc(2026, 3, 28, 22, 59), 10)  # 23:59 on the 28th
    await answer(services, clock, utc(2026, 3, 28, 23, 30), 10)  # 00:30 on the 29th
    await answer(services, clock, utc(2026, 3, 29, 21, 30), 0)  # 23:30 on the 29th
    await answer(services, clock, utc(2026, 3, 29, 22, 30), 9)  # 00:30 on the 30th

    points = await services.analytics.trend(
        AnalyticsFilter(date_from=utc(2026, 3, 27, 23), date_to=utc(2026, 3, 31, 22)),
        Interval.DAY,
        "Europe/Oslo",
    )

    assert [p.start.isoformat() for p in points] == [
        "2026-03-28T00:00:00+01:00",
        "2026-03-29T00:00:00+01:00",
        "2026-03-30T00:00:00+02:00",
        "2026-03-31T00:00:00+02:00",
    ]
    assert points[1].end.astimezone(UTC) - points[1].start.astimezone(UTC) == timedelta(hours=23)
    assert [p.summary.responses for p in points] == [1, 2, 1, 0]
    assert [p.summary.nps.score if p.summary.nps else None for p in points] == [
        100.0,
        0.0,
        100.0,
        None,
    ]


async def test_trend_days_follow_new_york_across_the_spring_change(
    services: Services, clock: FrozenClock
) -> None:
    # New York moves from -05:00 to -04:00 at 07:00 UTC on 8 March 2026.
    await make_survey(services)
    await answer(services, clock, utc(2026, 3, 8, 4, 30), 10)  # 23:30 on the 7th
    await answer(services, clock, utc(2026, 3, 8, 5, 30), 10)  # 00:30 on the 8th
    await answer(services, clock, utc(2026, 3, 9, 3, 30), 0)  # 23:30 on the 8th
    await answer(services, clock, utc(2026, 3, 9, 4, 30), 0)  # 00:30 on the 9th

    points = await services.analytics.trend(
        AnalyticsFilter(date_from=utc(2026, 3, 7, 5), date_to=utc(2026, 3, 10, 4)),
        Interval.DAY,
        "America/New_York",
    )

    assert [p.start.isoformat() for p in points] == [
        "2026-03-07T00:00:00-05:00",
        "2026-03-08T00:00:00-05:00",
        "2026-03-09T00:00:00-04:00",
    ]
    assert [p.summary.responses for p in points] == [1, 2, 1]
    assert [p.summary.nps.promoters if p.summary.nps else None for p in points] == [1, 1, 0]


async def test_trend_in_a_half_hour_zone_splits_on_the_quarter_hour(
    services: Services, clock: FrozenClock
) -> None:
    # India is +05:30: a local day starts at 18:30 UTC.
    await make_survey(services)
    await answer(services, clock, utc(2026, 3, 1, 18, 20), 10)  # 23:50 on 1 March
    await answer(services, clock, utc(2026, 3, 1, 18, 40), 0)  # 00:10 on 2 March

    points = await services.analytics.trend(
        AnalyticsFilter(date_from=utc(2026, 2, 28, 18, 30), date_to=utc(2026, 3, 2, 18, 30)),
        Interval.DAY,
        "Asia/Kolkata",
    )

    assert [p.summary.nps.score if p.summary.nps else None for p in points] == [100.0, -100.0]


ZONES = (
    "UTC",
    "Europe/Oslo",
    "America/New_York",
    "America/St_Johns",  # -03:30 / -02:30
    "Asia/Kolkata",  # +05:30
    "Asia/Kathmandu",  # +05:45
    "Pacific/Chatham",  # +12:45 / +13:45
    "Pacific/Auckland",
    "Pacific/Kiritimati",  # +14:00
)


@pytest.mark.slow
async def test_trends_in_any_zone_equal_counting_the_raw_responses(
    services: Services, clock: FrozenClock
) -> None:
    # Scores at random minutes over three weeks spanning New York's and Chatham's
    # clock changes, then daily and weekly trends and summaries over ranges with odd
    # bounds, checked against counting the responses themselves.
    await make_survey(services)
    rng = random.Random(20260308)
    answered: list[tuple[datetime, int]] = []
    at = utc(2026, 3, 1, 0, 7)
    while at < utc(2026, 3, 22):
        at += timedelta(minutes=rng.randint(20, 900))
        score = rng.randint(0, 10)
        await answer(services, clock, at, score)
        answered.append((at, score))

    def counted(start: datetime, end: datetime) -> tuple[int, int]:
        scores = [score for when, score in answered if start <= when < end]
        return len(scores), sum(score >= 9 for score in scores)

    for name in ZONES:
        date_from = utc(2026, 3, 1) + timedelta(minutes=15 * rng.randint(0, 200))
        date_to = utc(2026, 3, 22) - timedelta(minutes=15 * rng.randint(0, 200))
        window = AnalyticsFilter(date_from=date_from, date_to=date_to)
        for interval in (Interval.DAY, Interval.WEEK):
            points = await services.analytics.trend(window, interval, name)
            found = [
                (p.summary.responses, p.summary.nps.promoters if p.summary.nps else 0)
                for p in points
            ]
            expected = [counted(max(p.start, date_from), min(p.end, date_to)) for p in points]
            assert found == expected, (name, interval)
        short = AnalyticsFilter(date_from=date_from, date_to=date_from + timedelta(minutes=75))
        summary = await services.analytics.summary(short)
        assert summary.responses == counted(date_from, date_from + timedelta(minutes=75))[0]


async def test_trend_by_week_and_month_with_empty_periods(
    services: Services, clock: FrozenClock
) -> None:
    await make_survey(services)
    await answer(services, clock, utc(2026, 3, 1, 4), 10)  # 28 Feb, 23:00 in New York
    await answer(services, clock, utc(2026, 3, 1, 6), 8)  # 1 March, 01:00 in New York
    await answer(services, clock, utc(2026, 5, 20, 12), 2)
    range_ = AnalyticsFilter(date_from=utc(2026, 2, 1, 5), date_to=utc(2026, 6, 1, 4))

    months = await services.analytics.trend(range_, Interval.MONTH, "America/New_York")
    weeks = await services.analytics.trend(
        AnalyticsFilter(date_from=utc(2026, 2, 23), date_to=utc(2026, 3, 9)), Interval.WEEK, "UTC"
    )

    assert [p.start.date().isoformat() for p in months] == [
        "2026-02-01",
        "2026-03-01",
        "2026-04-01",
        "2026-05-01",
    ]
    assert [p.summary.responses for p in months] == [1, 1, 0, 1]
    assert months[2].summary.nps is not None and months[2].summary.nps.n == 0
    assert [p.start.date().isoformat() for p in weeks] == ["2026-02-23", "2026-03-02"]
    assert [p.summary.responses for p in weeks] == [2, 0]


async def test_trend_rejects_an_unknown_zone_and_a_missing_range(services: Services) -> None:
    with pytest.raises(ValidationFailed) as unknown:
        await services.analytics.trend(
            AnalyticsFilter(date_from=utc(2026, 1, 1), date_to=utc(2026, 2, 1)),
            Interval.DAY,
            "Mars/Olympus",
        )
    with pytest.raises(ValidationFailed):
        await services.analytics.trend(AnalyticsFilter(), Interval.DAY, "UTC")

    assert unknown.value.field == "timezone"


async def test_breakdown_sorts_by_n_and_folds_the_rest_into_other(
    services: Services, clock: FrozenClock
) -> None:
    await make_survey(services)
    at = utc(2026, 3, 3, 8)
    for country, scores in {"NO": [10, 9, 9], "SE": [0, 10], "DK": [5], "FI": [8]}.items():
        for score in scores:
            await answer(services, clock, at, score, country=country)

    groups = await services.analytics.breakdown(AnalyticsFilter(), Dimension.COUNTRY, top=2)

    assert [(g.key, g.other, g.summary.responses) for g in groups] == [
        ("NO", False, 3),
        ("SE", False, 2),
        (None, True, 2),
    ]
    assert groups[2].groups == 2
    assert groups[1].summary.nps is not None and groups[1].summary.nps.score == 0.0


async def test_score_distribution_lists_the_whole_scale(
    services: Services, clock: FrozenClock
) -> None:
    await make_survey(services, key="ces", metric=Metric.CES)
    for score in (7, 7, 2):
        await answer(services, clock, utc(2026, 3, 3, 8), score, survey_key="ces")

    counts = await services.analytics.score_distribution(AnalyticsFilter(survey_keys=["ces"]))

    assert [(c.score, c.count) for c in counts] == [
        (1, 0),
        (2, 1),
        (3, 0),
        (4, 0),
        (5, 0),
        (6, 0),
        (7, 2),
    ]


@pytest.mark.slow
async def test_rebuilt_rollups_equal_the_ones_kept_on_write(
    services: Services, clock: FrozenClock, database: Database
) -> None:
    await make_survey(services)
    await make_survey(services, key="csat", metric=Metric.CSAT, product="Payroll")
    await make_survey(services, key="ces", metric=Metric.CES)
    scales = {"nps-main": (0, 10), "csat": (1, 5), "ces": (1, 7)}
    rng = random.Random(20260301)
    at = utc(2026, 3, 1)
    people = list(range(9000, 9012))
    for _ in range(70):
        at += timedelta(minutes=rng.randint(1, 600))
        survey_key = rng.choice(list(scales))
        low, high = scales[survey_key]
        choice = rng.random()
        await answer(
            services,
            clock,
            at,
            None if choice < 0.15 else rng.randint(low, high),
            survey_key=survey_key,
            comment="Because." if 0.15 <= choice < 0.5 else None,
            decline=choice < 0.08,
            channel=rng.choice([Channel.IN_APP_WEB, Channel.MOBILE]),
            user=people.pop() if people and rng.random() < 0.3 else None,
            country=rng.choice(["NO", "SE", None]),
            company=rng.choice(["Acme AS", "Volvo", None]),
        )
    # One of the people above objects: their part leaves the rollups.
    excluded = await services.analytics.exclude_person("user-9011")
    await services.analytics.fold()
    kept = await rollup_rows()

    report = await services.analytics.rebuild()
    rebuilt = await rollup_rows()

    assert excluded.displays == 1
    assert report.displays == 69
    assert report.responses == await Response.find({"analytics_excluded": False}).count()
    assert rebuilt == kept
    assert kept["rollups_slots"] and kept["rollups_hourly"] and kept["rollups_daily"]
    # The rebuilt collections took the old ones' place, indexes and all.
    assert await check_indexes(database) == [
        Check("indexes", True, "every declared index is present")
    ]
    assert not [name for name in await database.list_collection_names() if "rebuild" in name]


async def test_a_failed_rebuild_leaves_the_rollups_as_they_were(
    services: Services, clock: FrozenClock, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    await make_survey(services)
    await answer(services, clock, utc(2026, 3, 2, 9), 10, comment="Good")
    await answer(services, clock, utc(2026, 3, 2, 23, 50), 3)
    await services.analytics.fold()
    kept = await rollup_rows()

    async def fail(*args: Any) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(rebuild, "write_table", fail)
    with pytest.raises(RuntimeError):
        await services.analytics.rebuild()

    assert await rollup_rows() == kept
    assert not [name for name in await database.list_collection_names() if "rebuild" in name]


async def test_excluded_person_is_not_counted_and_can_be_included_again(
    services: Services, clock: FrozenClock
) -> None:
    await make_survey(services)
    await answer(services, clock, utc(2026, 3, 2, 9), 10, user=1001, comment="Love it")
    await answer(services, clock, utc(2026, 3, 2, 10), 0, user=1002)

    first = await services.analytics.exclude_person("user-1001")
    again = await services.analytics.exclude_person("user-1001")
    without = await services.analytics.summary(AnalyticsFilter())
    await services.analytics.include_person("user-1001")
    restored = await services.analytics.summary(AnalyticsFilter())

    assert (first.displays, first.responses) == (1, 1)
    assert (again.displays, again.responses) == (0, 0)
    assert (without.displays, without.responses, without.comments) == (1, 1, 0)
    assert without.nps is not None and without.nps.score == -100.0
    assert (restored.responses, restored.comments) == (2, 1)
    assert restored.nps is not None and restored.nps.score == 0.0


@pytest.mark.parametrize(
    ("collection", "time_field", "dimensions"),
    [
        ("rollups_daily", "day", {"detail": "survey", "survey_key": "nps-main"}),
        ("rollups_daily", "day", {"detail": "full"}),
        ("rollups_hourly", "hour", {"detail": "survey", "survey_key": "nps-main"}),
        ("rollups_hourly", "hour", {"detail": "full"}),
        ("rollups_slots", "slot", {"detail": "survey", "survey_key": "nps-main"}),
        ("rollups_slots", "slot", {"detail": "full"}),
    ],
)
async def test_rollup_reads_start_with_an_index_scan(
    database: Database, collection: str, time_field: str, dimensions: dict[str, Any]
) -> None:
    query = {**dimensions, time_field: {"$gte": utc(2026, 1, 1), "$lt": utc(2026, 2, 1)}}
    explained = await database.command(
        "explain", SON([("find", collection), ("filter", query)]), verbosity="queryPlanner"
    )
    plan, stages = explained["queryPlanner"]["winningPlan"], []
    while plan:
        stages.append(plan["stage"])
        plan = plan.get("inputStage") or {}

    assert "IXSCAN" in stages and "COLLSCAN" not in stages


async def test_restriction_through_the_privacy_hooks_leaves_and_restores_rollups(
    services: Services, clock: FrozenClock
) -> None:
    await make_survey(services)
    await answer(services, clock, utc(2026, 3, 2, 9), 10, user=2001)
    await answer(services, clock, utc(2026, 3, 2, 10), 0, user=2002)
    person_2001 = Identity(user_ids=("user-2001",))

    restricted = await services.subject_hooks.restrict(person_2001)
    during = await services.analytics.summary(AnalyticsFilter())
    await services.subject_hooks.lift(person_2001)
    after = await services.analytics.summary(AnalyticsFilter())

    assert restricted == {"analytics_rollups": 2}  # one display, one response
    assert during.nps is not None and (during.nps.n, during.nps.score) == (1, -100.0)
    assert after.nps is not None and (after.nps.n, after.nps.score) == (2, 0.0)
