"""Rollups off the request path: a write records its change, the folder adds the
changes to the rollups in batches exactly once, and every figure counts each write
once whether it is folded yet or not, while folds, rebuilds and writes go on."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from hub.clock import FrozenClock
from hub.db import Database
from hub.models.common import Role
from hub.models.rollup import RollupChange
from hub.services import Services
from hub.services.analytics import rebuild
from hub.services.analytics.criteria import AnalyticsFilter, Interval
from hub.services.analytics.folder import RollupFolder
from hub.services.analytics.grains import DAY, Window, clustered
from hub.services.analytics.stores import rollup_changes
from hub.settings import Settings
from tests.support.commands import counting_commands
from tests.support.graphql import GraphQLClient
from tests.support.rollups import figures, raw_figures, rollup_rows
from tests.support.waiting import eventually
from tests.support.widget import Widget, score, show

SUMMARY = """
query { metricSummary { displays responses nps { n score } } }
"""


async def answers(widget: Widget, count: int, first: int = 0) -> None:
    """`count` answers with every score of the scale, every other one commented."""
    for number in range(first, first + count):
        await widget.answer(number % 11, comment="Why." if number % 2 else None)


async def test_a_write_is_counted_at_once_and_folded_later(services: Services) -> None:
    widget = Widget(services)
    await answers(widget, 3)

    before = await figures(services.analytics)
    unfolded = await rollup_rows()
    folded = await services.analytics.fold()
    after = await figures(services.analytics)

    assert before == after == await raw_figures() == (3, 0, 3, 1, 0 + 1 + 2)
    assert unfolded == {"rollups_daily": [], "rollups_hourly": [], "rollups_slots": []}
    # One change per display, score and comment.
    assert folded == 7
    assert await RollupChange.count() == 0
    assert all((await rollup_rows()).values())


async def test_each_change_is_folded_once_in_batches(services: Services) -> None:
    widget = Widget(services)
    await answers(widget, 10)
    folder = RollupFolder(services.leases, batch=4)

    folded = await folder.drain()
    again = await folder.drain()
    kept = await rollup_rows()
    await services.analytics.rebuild()

    assert (folded, again) == (25, 0)
    assert await rollup_rows() == kept
    assert await figures(services.analytics) == await raw_figures()


async def test_a_batch_that_fails_folds_nothing(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    widget = Widget(services)
    await answers(widget, 4)
    remove = rollup_changes.remove

    async def fail(*args: Any) -> int:
        raise RuntimeError("the process died after adding the counts")

    monkeypatch.setattr(rollup_changes, "remove", fail)
    with pytest.raises(RuntimeError):
        await services.analytics.fold()
    after_failure = await rollup_rows()
    monkeypatch.setattr(rollup_changes, "remove", remove)
    folded = await services.analytics.fold()

    assert after_failure == {"rollups_daily": [], "rollups_hourly": [], "rollups_slots": []}
    assert folded == 10
    assert await figures(services.analytics) == await raw_figures()
    kept = await rollup_rows()
    await services.analytics.rebuild()
    assert await rollup_rows() == kept


async def test_every_read_during_folds_counts_each_change_once(services: Services) -> None:
    widget = Widget(services)
    await answers(widget, 12)
    truth = await raw_figures()
    start = services.clock.now() - timedelta(days=3)
    trend_filter = AnalyticsFilter(date_from=start, date_to=start + timedelta(days=7))
    folder = RollupFolder(services.leases, batch=2)
    folding = asyncio.create_task(folder.drain())
    seen: list[tuple[int, ...]] = []
    while True:
        done = folding.done()
        seen.append(await figures(services.analytics))
        trend = await services.analytics.trend(trend_filter, Interval.DAY, "Europe/Oslo")
        seen.append(
            (
                sum(point.summary.displays for point in trend),
                sum(point.summary.declines for point in trend),
                sum(point.summary.responses for point in trend),
                sum(point.summary.comments for point in trend),
                truth[4],
            )
        )
        if done:
            break

    assert await folding == 30
    assert set(seen) == {truth}


async def test_a_rebuild_while_writes_go_on_counts_each_write_once(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Small chunks, so writes land between the snapshots of one rebuild.
    monkeypatch.setattr(rebuild, "CHUNK", 3)
    widget = Widget(services)
    await answers(widget, 6)
    await services.analytics.fold()

    async def write() -> None:
        for number in range(6, 30):
            await answers(widget, 1, number)
            if number % 7 == 0:  # someone objects: their part leaves the analytics
                await services.analytics.exclude_person(f"user-{number - 3}")
            if number % 9 == 0:
                await services.analytics.fold()

    writing = asyncio.create_task(write())
    rebuilds = 0
    while not writing.done() or rebuilds == 0:
        await services.analytics.rebuild()
        rebuilds += 1
    await writing
    await services.analytics.fold()

    assert await figures(services.analytics) == await raw_figures()
    kept = await rollup_rows()
    await services.analytics.rebuild()
    assert await rollup_rows() == kept


async def test_no_fold_while_a_rebuild_holds_the_folder(services: Services) -> None:
    widget = Widget(services)
    await answers(widget, 2)

    async with services.analytics.folder.paused():
        during = await RollupFolder(services.leases).drain()
    after = await services.analytics.fold()

    assert (during, after) == (0, 5)


@pytest.mark.parametrize("days", [7, 365])
async def test_a_trend_makes_the_same_round_trips_for_a_week_and_a_year(
    services: Services, mongo_uri: str, database: Database, days: int
) -> None:
    widget = Widget(services)
    await answers(widget, 2)
    end = datetime(2026, 3, 1, 15, 20, tzinfo=UTC)
    criteria = AnalyticsFilter(
        survey_keys=["nps-main"], date_from=end - timedelta(days=days), date_to=end
    )

    async with counting_commands(mongo_uri, database) as counter:
        points = await services.analytics.trend(criteria, Interval.DAY, "America/New_York")
        commands = list(counter.commands)

    assert len(points) == days + 1
    # The surveys in scope, the days, one range of hours (the daily windows are less
    # than a day apart), two of quarter-hours (the range starts and ends at 15:15),
    # the changes not folded yet, and the end of the snapshot: whatever the days.
    assert commands == ["find", *["aggregate"] * 5, "commitTransaction"]


@pytest.fixture
def settings(settings: Settings, request: pytest.FixtureRequest) -> Settings:
    """The app's background workers (the folder among them) on, or with
    `indirect` parametrisation, as the test says."""
    workers = getattr(request, "param", True)
    return settings.model_copy(update={"background_workers": workers})


@pytest.fixture
async def widget_gql(gql: GraphQLClient, services: Services) -> AsyncIterator[GraphQLClient]:
    await Widget(services).answer(10)
    yield gql


@pytest.mark.parametrize(
    "settings", [True, False], ids=["folder running", "folder stopped"], indirect=True
)
async def test_a_score_is_in_the_summary_when_submit_score_returns(
    widget_gql: GraphQLClient, clock: FrozenClock
) -> None:
    for value in (0, 9, 2):
        shown = await show(widget_gql, user={"id": f"u-{value}", "locale": "en"})
        submitted = await score(widget_gql, shown["displayId"], value)
        summary = (await widget_gql.ok(SUMMARY, role=Role.VIEWER))["metricSummary"]

        assert submitted["__typename"] == "ScoreSubmitted"
        assert summary["nps"]["n"] == summary["responses"] == (0, 9, 2).index(value) + 2


async def test_reads_during_rebuilds_see_every_write(services: Services) -> None:
    widget = Widget(services)
    await answers(widget, 8)
    await services.analytics.fold()
    await answers(widget, 4, 8)
    truth = await raw_figures()

    async def rebuild_thrice() -> None:
        for _ in range(3):
            await services.analytics.rebuild()

    rebuilding = asyncio.create_task(rebuild_thrice())
    seen = set()
    while not rebuilding.done():
        seen.add(await figures(services.analytics))
    await rebuilding

    assert seen <= {truth}


async def test_the_app_folds_the_changes_its_writes_record(
    gql: GraphQLClient, services: Services
) -> None:
    await Widget(services).answer(10)
    shown = await show(gql)
    await score(gql, shown["displayId"], 3)

    # Woken by the writes: folded long before the idle poll would look.
    await eventually(lambda: _nothing_waits(), within=8.0)
    assert await figures(services.analytics) == await raw_figures()
    assert all((await rollup_rows()).values())


async def _nothing_waits() -> bool:
    return await RollupChange.count() == 0


def test_windows_a_day_apart_or_more_are_read_alone_up_to_sixteen_ranges() -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)

    def windows(count: int, every: timedelta) -> list[Window]:
        return [
            (start + i * every, start + i * every + timedelta(hours=5), i, None)
            for i in range(count)
        ]

    daily = clustered(windows(365, timedelta(days=1)), DAY, 16)
    monthly = clustered(windows(13, timedelta(days=30)), DAY, 16)
    weekly = clustered(windows(53, timedelta(days=7)), DAY, 16)

    assert [(first, last, len(members)) for first, last, members in daily] == [
        (start, start + timedelta(days=364, hours=5), 365)
    ]
    assert [len(members) for _, _, members in monthly] == [1] * 13
    assert len(weekly) == 16 and sum(len(members) for _, _, members in weekly) == 53
    assert all(first <= m[0] and m[1] <= last for first, last, ms in weekly for m in ms)
