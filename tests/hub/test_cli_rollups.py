"""`feedback-hub rollups rebuild` recomputes rollups and reports what it did."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hub.clock import FrozenClock
from hub.db import Database
from hub.models.common import Channel
from hub.models.rollup import DailyRollup, HourlyRollup, SlotRollup
from hub.services import Services
from hub.services.analytics.criteria import AnalyticsFilter
from hub.settings import Settings
from tests.factories import context, make_survey, person
from tests.support.cli import cli

# Subprocesses, real servers, restarts or fuzzing: not in `make test-fast`.
pytestmark = pytest.mark.slow


async def test_rebuild_from_the_command_line(
    settings: Settings, database: Database, services: Services, clock: FrozenClock
) -> None:
    await make_survey(services)
    clock.set(datetime(2026, 3, 2, 9, tzinfo=UTC))
    for number, score in ((1, 10), (2, 4)):
        shown = await services.responses.record_display(
            "nps-main", person(number), Channel.IN_APP_WEB, context(), "en"
        )
        await services.responses.submit_score(str(shown.id), score)
    for model in (DailyRollup, HourlyRollup, SlotRollup):
        await model.get_pymongo_collection().delete_many({})

    rebuilt = cli(settings, "rollups", "rebuild")
    unknown = cli(settings, "rollups", "rebuild", "--survey", "nope")

    assert rebuilt.returncode == 0, rebuilt.stderr
    # Full detail and survey level at each grain; per day also country, channel, company.
    assert "5 daily, 2 hourly and 2 quarter-hour rollups" in rebuilt.stdout
    summary = await services.analytics.summary(AnalyticsFilter())
    assert summary.nps is not None and summary.nps.score == 0.0
    assert unknown.returncode == 1
    assert "Survey not found" in unknown.stderr
