"""Rollups: counters of displays, declines, responses, comments and scores, kept up
to date from every write so analytics never scan raw responses. Each write records its
change (`RollupChange`) in its transaction; the folder adds the changes to the rollups
in batches, and the analytics add the changes not folded yet.

Each write is counted at two levels of detail: `FULL` rollups are keyed by every
dimension a filter or breakdown takes; `SURVEY` rollups only by survey, metric and
product (country, channel and company null), so the most common dashboards (a
survey's figures and trend) read a few hundred documents a year whatever the
number of customers.

Three time grains share one shape (see `hub.services.analytics.queries` for how they are
read):

- `DailyRollup`: one document per combination of dimensions and UTC day.
- `HourlyRollup`: the same counters per UTC hour, used to move period boundaries
  off UTC midnight: most time zones are a whole number of hours from UTC.
- `SlotRollup`: the same counters per quarter-hour (UTC), for the rest of a
  boundary. Every time zone in the IANA database is offset from UTC by a whole
  number of quarter-hours (India +05:30, Nepal +05:45, Chatham +12:45 included), so
  any local midnight, in or out of daylight-saving time, falls on a slot boundary
  and a local period is exactly a sum of days, hours and at most three slots per
  boundary.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any

import pymongo
from beanie import Document, PydanticObjectId
from pydantic import BaseModel, Field
from pymongo import IndexModel

from hub.models.common import Channel, Metric


class RecordType(StrEnum):
    """What a rollup change counts."""

    DISPLAY = "display"
    RESPONSE = "response"


class Detail(StrEnum):
    SURVEY = "survey"
    FULL = "full"
    # Daily rollups at the survey level plus one breakdown dimension, which a breakdown
    # by it reads instead of the full detail (whose rollups per day grow with the
    # combinations of every dimension).
    COUNTRY = "country"
    CHANNEL = "channel"
    COMPANY = "company"


# The dimensions a daily rollup level of their own exists for (each a `Detail`).
BREAKDOWN_LEVELS = ("country", "channel", "company")


DIMENSIONS = ("detail", "survey_key", "metric", "product", "country", "channel", "company")
# What a survey-level rollup keeps (a theme rollup keeps its theme too).
SURVEY_LEVEL = ("theme", "survey_key", "metric", "product")
COUNTERS = ("displays", "declines", "responses", "comments", "score_sum")
SCORE_KEYS = tuple(f"s{value}" for value in range(11))


def sums_by(keys: Mapping[str, Any], counters: Sequence[str] = COUNTERS) -> dict[str, Any]:
    """The `$group` stage that sums, per `keys`, the `counters` and the score counts of
    the rollups (or changes) it reads."""
    stage: dict[str, Any] = {"_id": dict(keys)}
    for counter in counters:
        stage[counter] = {"$sum": f"${counter}"}
    for key in SCORE_KEYS:
        stage[key] = {"$sum": f"$scores.{key}"}
    return stage


class RollupCounters(BaseModel):
    displays: int = 0
    declines: int = 0
    responses: int = 0
    comments: int = 0
    score_sum: int = 0
    scores: dict[str, int] = Field(
        default_factory=dict, description="Responses per score, keyed `s0` … `s10`."
    )


class _Rollup(RollupCounters):
    detail: Detail
    survey_key: str
    metric: Metric
    product: str
    country: str | None = None
    channel: Channel | None = None
    company: str | None = None


def _dimension_index(time_field: str, name: str) -> list[IndexModel]:
    return [
        IndexModel(
            [*((field, pymongo.ASCENDING) for field in DIMENSIONS), (time_field, 1)],
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
    ]


class DailyRollup(Document, _Rollup):
    """Counters of one UTC day (`day` is its midnight, UTC)."""

    day: datetime

    class Settings:
        name = "rollups_daily"
        indexes = _dimension_index("day", "dimensions_day_unique")


class HourlyRollup(Document, _Rollup):
    """Counters of one UTC hour (`hour` is its start)."""

    hour: datetime

    class Settings:
        name = "rollups_hourly"
        indexes = _dimension_index("hour", "dimensions_hour_unique")


class SlotRollup(Document, _Rollup):
    """Counters of one UTC quarter-hour (`slot` is its start)."""

    slot: datetime

    class Settings:
        name = "rollups_slots"
        indexes = _dimension_index("slot", "dimensions_slot_unique")


class RollupChange(Document, RollupCounters):
    """One change to the rollups, not folded into them yet: what one display, decline,
    score or comment adds (or, with negative counters, what taking a person out of
    analytics takes away), written in the same transaction as the record it counts.

    The folder (`hub.services.analytics.folder`) adds these to the rollups in batches
    and deletes them in the same transaction; until then the analytics add them to
    what the rollups hold. `slot` is the quarter-hour of `at`, the finest grain the
    queries read.

    A change with a `theme` counts a response's mention of that theme (its comment
    tagged, or with negative counters untagged) in the theme rollups
    (`hub.models.theme_rollup`): `mentions`, `score_sum` and `scores` only."""

    survey_key: str
    metric: Metric
    product: str
    country: str | None = None
    channel: Channel | None = None
    company: str | None = None
    theme: str | None = Field(default=None, description="The theme mentioned, if any.")
    mentions: int = 0
    record_type: RecordType
    record: PydanticObjectId = Field(description="The display or response counted.")
    at: datetime
    slot: datetime

    class Settings:
        name = "rollup_changes"
        indexes = [
            IndexModel(
                [("record_type", pymongo.ASCENDING), ("record", pymongo.ASCENDING)],
                name="record",
            ),
            IndexModel([("slot", pymongo.ASCENDING)], name="slot"),
        ]
