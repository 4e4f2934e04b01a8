"""Theme rollups: per theme, the responses whose comment mentions it and their scores,
kept like the rollups (`hub.models.rollup`): the same dimensions, levels of detail and
time grains, folded by the same folder from the same `rollup_changes` (a change with
a `theme` counts here), so a theme's figures cost the same whatever the number of
responses.

A response mentions a theme when its comment carries the theme's tag
(`Response.themes`); it counts once per theme however many rules or words matched,
at the time it was scored, like its comment in the rollups."""

from __future__ import annotations

from datetime import datetime

import pymongo
from beanie import Document
from pydantic import BaseModel, Field
from pymongo import IndexModel

from hub.models.common import Channel, Metric
from hub.models.rollup import Detail

THEME_DIMENSIONS = (
    "detail",
    "theme",
    "survey_key",
    "metric",
    "product",
    "country",
    "channel",
    "company",
)
THEME_COUNTERS = ("mentions", "score_sum")


class _ThemeRollup(BaseModel):
    detail: Detail
    theme: str = Field(description="The theme's key.")
    survey_key: str
    metric: Metric
    product: str
    country: str | None = None
    channel: Channel | None = None
    company: str | None = None
    mentions: int = Field(default=0, description="Responses whose comment has the theme.")
    score_sum: int = 0
    scores: dict[str, int] = Field(
        default_factory=dict, description="Mentions per score, keyed `s0` … `s10`."
    )


def _theme_indexes(time_field: str, name: str) -> list[IndexModel]:
    # The unique key leads with level, theme, survey and time: one theme's trend in a
    # survey reads a range of it.
    leading = ("detail", "theme", "survey_key", time_field)
    rest = [field for field in THEME_DIMENSIONS if field not in leading]
    return [
        IndexModel(
            [(field, pymongo.ASCENDING) for field in (*leading, *rest)],
            unique=True,
            name=name,
        ),
        IndexModel(
            [("detail", pymongo.ASCENDING), (time_field, pymongo.ASCENDING)],
            name=f"detail_{time_field}",
        ),
        IndexModel(
            [
                ("detail", pymongo.ASCENDING),
                ("survey_key", pymongo.ASCENDING),
                (time_field, pymongo.ASCENDING),
            ],
            name=f"detail_survey_{time_field}",
        ),
        IndexModel(
            [
                ("detail", pymongo.ASCENDING),
                ("theme", pymongo.ASCENDING),
                (time_field, pymongo.ASCENDING),
            ],
            name=f"detail_theme_{time_field}",
        ),
    ]


class ThemeDailyRollup(Document, _ThemeRollup):
    """Mentions of one theme on one UTC day (`day` is its midnight, UTC)."""

    day: datetime

    class Settings:
        name = "theme_rollups_daily"
        indexes = _theme_indexes("day", "dimensions_day_unique")


class ThemeHourlyRollup(Document, _ThemeRollup):
    """Mentions of one theme in one UTC hour (`hour` is its start)."""

    hour: datetime

    class Settings:
        name = "theme_rollups_hourly"
        indexes = _theme_indexes("hour", "dimensions_hour_unique")


class ThemeSlotRollup(Document, _ThemeRollup):
    """Mentions of one theme in one UTC quarter-hour (`slot` is its start)."""

    slot: datetime

    class Settings:
        name = "theme_rollups_slots"
        indexes = _theme_indexes("slot", "dimensions_slot_unique")
