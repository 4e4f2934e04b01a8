"""Analytics: one service over the rollups of NPS, CSAT and CES answers.

Each job has its module: score bands (`bands`), figures (`figures`), what a query asks
for (`criteria`), time grains (`grains`), rollup changes and exclusion (`rollups`),
folding the changes into the rollups (`folder`), the rebuild (`rebuild`), queries
(`queries`, read by `plans`), live events (`live`), and the themes' rollups
(`theme_rollups`), figures (`theme_figures`) and queries (`themes`)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator

from hub.clock import Clock
from hub.errors import Conflict
from hub.models.event import LiveEvent
from hub.services.analytics import queries
from hub.services.analytics import rebuild as rebuilding
from hub.services.analytics.criteria import AnalyticsFilter, Dimension, Interval
from hub.services.analytics.figures import Summary
from hub.services.analytics.folder import PAUSE_WAIT_SECONDS, RollupFolder
from hub.services.analytics.live import LiveEvents
from hub.services.analytics.queries import BreakdownGroup, ScoreCount, TrendPoint
from hub.services.analytics.rebuild import RebuildReport
from hub.services.analytics.rollups import ExclusionReport, RollupWriter
from hub.services.analytics.stores import rollups as rollup_store
from hub.services.analytics.theme_rollups import ThemeRollupListener
from hub.services.analytics.themes import ThemeAnalytics
from hub.services.platform.leases import JobLeases
from hub.services.platform.stores import schema_migrations
from hub.services.surveys.surveys import SurveyService
from hub.services.themes.catalog import ThemeCatalog
from hub.services.widget.events import EventBus, ResponseEvent

log = logging.getLogger("hub.migrations")

# The migration that added the daily breakdown levels to rollups kept before them.
BREAKDOWN_LEVELS_MIGRATION = "rollup-breakdown-levels"
# Held while rollups are rebuilt (`JobLeases.exclusive`): one rebuild at a time, since
# two would write the same rollups (a full rebuild swaps whole collections in).
REBUILD_LEASE = "rollups.rebuild"


class AnalyticsService:
    """Keeps rollups and answers metric queries from them."""

    def __init__(
        self,
        clock: Clock,
        events: EventBus,
        surveys: SurveyService,
        leases: JobLeases,
        fold_interval_seconds: float = 0.5,
    ) -> None:
        self.clock = clock
        self.leases = leases
        self.events = events
        self.surveys = surveys
        self.rollups = RollupWriter(surveys)
        self.folder = RollupFolder(leases, fold_interval_seconds)
        self.live = LiveEvents(events, surveys)
        self.themes = ThemeAnalytics(ThemeCatalog())
        # For the tagger: records what a change of a comment's tags does to the theme
        # rollups, in the tagger's transaction.
        self.theme_listener = ThemeRollupListener(self.folder.wake)

    # --- keeping rollups ----------------------------------------------------------

    async def exclude_person(self, user_id: str) -> ExclusionReport:
        """See `RollupWriter.exclude_person`."""
        return await self.rollups.exclude_person(user_id)

    async def include_person(self, user_id: str) -> ExclusionReport:
        """See `RollupWriter.include_person`."""
        return await self.rollups.include_person(user_id)

    async def rebuild(self, survey_key: str | None = None) -> RebuildReport:
        """Recompute rollups (of one survey, or all) from displays and responses, and
        theme rollups from the responses' tags, exact while writes go on; no process
        folds changes meanwhile. While a rebuild runs, in this process or another, a
        second raises `Conflict` (ALREADY_RUNNING)."""
        async with (
            self.leases.exclusive(REBUILD_LEASE, "A rollup rebuild"),
            self.folder.paused(),
        ):
            return await rebuilding.rebuild(survey_key)

    async def add_breakdown_levels(self, wait_seconds: float = PAUSE_WAIT_SECONDS) -> bool:
        """Once per database: the daily rollups of each breakdown level (survey level
        plus country, channel or company), summed from the full-detail daily rollups
        kept before those levels existed; the folder keeps them from then on. Run at
        start, with folding paused; processes starting together wait for the one that
        runs it (at most `wait_seconds`, then go on with a warning). True if it ran in
        this process."""
        deadline = time.monotonic() + wait_seconds
        while not await schema_migrations.has_run(BREAKDOWN_LEVELS_MIGRATION, 1):
            try:
                async with (
                    self.leases.exclusive(REBUILD_LEASE, "A rollup rebuild"),
                    self.folder.paused(wait_seconds),
                ):
                    if await schema_migrations.has_run(BREAKDOWN_LEVELS_MIGRATION, 1):
                        return False  # another process ran it meanwhile
                    written = await rollup_store.derive_breakdown_levels()
                    await schema_migrations.record(
                        BREAKDOWN_LEVELS_MIGRATION, 1, self.clock.now(), {"rollups_daily": written}
                    )
                log.info("migration %s: %s daily rollups", BREAKDOWN_LEVELS_MIGRATION, written)
                return True
            except Conflict:  # another process rebuilds, or runs this migration
                if time.monotonic() > deadline:
                    log.warning(
                        "migration %s: the rollups stayed busy; it runs at the next start",
                        BREAKDOWN_LEVELS_MIGRATION,
                    )
                    return False
                await asyncio.sleep(0.2)
        return False

    async def fold(self) -> int:
        """Fold every change waiting into the rollups now (see `RollupFolder.drain`)."""
        return await self.folder.drain()

    # --- reading rollups ------------------------------------------------------------

    async def summary(self, criteria: AnalyticsFilter) -> Summary:
        return await queries.summary(criteria)

    async def trend(
        self, criteria: AnalyticsFilter, interval: Interval, timezone: str
    ) -> list[TrendPoint]:
        """The summary per local day, week (from Monday) or month in `timezone`."""
        return await queries.trend(criteria, interval, timezone)

    async def breakdown(
        self, criteria: AnalyticsFilter, by: Dimension, top: int
    ) -> list[BreakdownGroup]:
        """The summary per value of `by`, largest n first, the rest beyond `top` folded."""
        return await queries.breakdown(criteria, by, top)

    async def score_distribution(self, criteria: AnalyticsFilter) -> list[ScoreCount]:
        """Responses per score value, every value of each metric's scale listed."""
        return await queries.score_distribution(criteria)

    # --- live events ----------------------------------------------------------------

    async def event_of(self, live: LiveEvent) -> ResponseEvent | None:
        return await self.live.event_of(live)

    def listen(self, criteria: AnalyticsFilter) -> AsyncIterator[ResponseEvent]:
        """Live events under `criteria`, from now on."""
        return self.live.listen(criteria)
