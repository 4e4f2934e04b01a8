"""Breakdowns by country, channel or company read daily rollups of their own level
(survey level plus that dimension) for whole days, and full-detail hours and
quarter-hours at the ends of the range: the same figures as reading full detail
throughout, whose rollups per day grow with every combination of dimensions. Rollups
kept before those levels existed get them once, at start, from the full detail."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from hub.clock import FrozenClock
from hub.models.common import Channel
from hub.models.migration import SchemaMigration
from hub.models.response import Response
from hub.models.rollup import DailyRollup, Detail
from hub.services import Services
from hub.services.analytics.analytics import BREAKDOWN_LEVELS_MIGRATION
from hub.services.analytics.criteria import AnalyticsFilter, Dimension
from hub.services.analytics.queries import BreakdownGroup
from hub.settings import Settings
from tests.support.rollups import rollup_rows
from tests.support.widget import Widget

PEOPLE = [
    ("NO", "Acme AS"),
    ("SE", "Beta AB"),
    ("NO", "Beta AB"),
    ("DK", "Acme AS"),
    ("SE", "Acme AS"),
    ("NO", "Gamma Oy"),
    ("FI", "Gamma Oy"),
]


async def _answered(services: Services, clock: FrozenClock) -> AnalyticsFilter:
    """Answers from people of several countries and companies, seven hours apart over
    four days, folded into the rollups; and a range that starts and ends mid-day."""
    start = clock.now()
    widget = Widget(services)
    for number, (country, company) in enumerate(PEOPLE * 2):
        await widget.answer(
            number % 11,
            comment="Slow." if number % 3 == 0 else None,
            country=country,
            company=company,
        )
        clock.advance(timedelta(hours=7))
    await services.analytics.fold()
    criteria = AnalyticsFilter(
        date_from=start + timedelta(hours=5), date_to=clock.now() - timedelta(hours=9)
    )
    return criteria


def _rows(groups: list[BreakdownGroup]) -> list[tuple[object, ...]]:
    return [(g.key, g.other, g.groups, g.summary) for g in groups]


@pytest.mark.parametrize("by", [Dimension.COUNTRY, Dimension.COMPANY, Dimension.CHANNEL])
async def test_a_breakdown_from_its_level_is_the_one_from_full_detail(
    services: Services, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch, by: Dimension
) -> None:
    criteria = await _answered(services, clock)
    assert criteria.day_detail(by) is Detail(by.value)

    from_levels = await services.analytics.breakdown(criteria, by, 100)
    monkeypatch.setattr(AnalyticsFilter, "day_detail", AnalyticsFilter.detail)
    from_full_detail = await services.analytics.breakdown(criteria, by, 100)

    assert _rows(from_levels) == _rows(from_full_detail)
    if by is Dimension.COUNTRY:  # and what the records say
        answered = Response.find(
            {"answered_at": {"$gte": criteria.date_from, "$lt": criteria.date_to}}
        )
        per_country: dict[str, int] = {}
        async for response in answered:
            country = response.customer.country or ""
            per_country[country] = per_country.get(country, 0) + 1
        assert {g.key: g.summary.responses for g in from_levels} == per_country
        assert len(per_country) > 1


def test_only_an_unfiltered_breakdown_by_a_level_dimension_reads_its_level() -> None:
    unfiltered = AnalyticsFilter()
    by_channel = AnalyticsFilter(channel=Channel.IN_APP_WEB)

    assert unfiltered.day_detail(Dimension.COUNTRY) is Detail.COUNTRY
    assert unfiltered.day_detail(Dimension.COMPANY) is Detail.COMPANY
    assert unfiltered.day_detail(Dimension.PRODUCT) is Detail.SURVEY
    assert unfiltered.day_detail(None) is Detail.SURVEY
    assert by_channel.day_detail(Dimension.COUNTRY) is Detail.FULL
    assert by_channel.day_detail(Dimension.CHANNEL) is Detail.FULL
    assert AnalyticsFilter(country="NO").day_detail(None) is Detail.FULL


async def test_rollups_kept_before_the_levels_get_them_once_at_start(
    services: Services, clock: FrozenClock
) -> None:
    criteria = await _answered(services, clock)
    expected = await services.analytics.breakdown(criteria, Dimension.COUNTRY, 100)
    kept = await rollup_rows()
    levels = [level.value for level in (Detail.COUNTRY, Detail.CHANNEL, Detail.COMPANY)]
    # A database from before: no level rollups, no record of the migration
    await DailyRollup.get_pymongo_collection().delete_many({"detail": {"$in": levels}})
    await SchemaMigration.find({"_id": BREAKDOWN_LEVELS_MIGRATION}).delete()

    ran = await services.analytics.add_breakdown_levels()
    again = await services.analytics.add_breakdown_levels()

    assert (ran, again) == (True, False)
    assert await rollup_rows() == kept  # what the folder had written, level for level
    assert _rows(await services.analytics.breakdown(criteria, Dimension.COUNTRY, 100)) == _rows(
        expected
    )
    assert await SchemaMigration.find({"_id": BREAKDOWN_LEVELS_MIGRATION}).count() == 1


async def test_processes_starting_together_add_the_levels_once_and_all_start(
    services: Services, settings: Settings, clock: FrozenClock
) -> None:
    await _answered(services, clock)
    kept = await rollup_rows()
    levels = [level.value for level in (Detail.COUNTRY, Detail.CHANNEL, Detail.COMPANY)]
    await DailyRollup.get_pymongo_collection().delete_many({"detail": {"$in": levels}})
    await SchemaMigration.find({"_id": BREAKDOWN_LEVELS_MIGRATION}).delete()
    processes = [Services.build(settings, clock) for _ in range(3)]

    ran = await asyncio.gather(*(p.analytics.add_breakdown_levels() for p in processes))

    assert sorted(ran) == [False, False, True]  # one ran it, the others waited for it
    assert await rollup_rows() == kept
