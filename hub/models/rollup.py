"""Rollups: counters of displays, declines, responses, comments and scores, kept up
to date on every write so analytics never scan raw responses.

Two grains share one shape (see `hub.services.analytics` for how they are read):

- `DailyRollup`: one document per combination of dimensions and UTC day.
- `SlotRollup`: the same counters per quarter-hour (UTC), used only to move period
  boundaries off UTC midnight. Every time zone in the IANA database is offset from
  UTC by a whole number of quarter-hours (India +05:30, Nepal +05:45, Chatham
  +12:45 included), so any local midnight, in or out of daylight-saving time, falls
  on a slot boundary and a local period is exactly a sum of days and slots.
"""

from __future__ import annotations

from datetime import datetime

import pymongo
from beanie import Document
from pydantic import BaseModel, Field
from pymongo import IndexModel

from hub.models.common import Channel, Metric

DIMENSIONS = ("survey_key", "metric", "product", "country", "channel", "company")
COUNTERS = ("displays", "declines", "responses", "comments", "score_sum")
SCORE_KEYS = tuple(f"s{value}" for value in range(11))


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
    survey_key: str
    metric: Metric
    product: str
    country: str | None = None
    channel: Channel
    company: str | None = None


def _dimension_index(time_field: str, name: str) -> list[IndexModel]:
    return [
        IndexModel(
            [*((field, pymongo.ASCENDING) for field in DIMENSIONS), (time_field, 1)],
            unique=True,
            name=name,
        ),
        IndexModel([(time_field, pymongo.ASCENDING)]),
        IndexModel([("survey_key", pymongo.ASCENDING), (time_field, pymongo.ASCENDING)]),
    ]


class DailyRollup(Document, _Rollup):
    """Counters of one UTC day (`day` is its midnight, UTC)."""

    day: datetime

    class Settings:
        name = "rollups_daily"
        indexes = _dimension_index("day", "dimensions_day_unique")


class SlotRollup(Document, _Rollup):
    """Counters of one UTC quarter-hour (`slot` is its start)."""

    slot: datetime

    class Settings:
        name = "rollups_slots"
        indexes = _dimension_index("slot", "dimensions_slot_unique")
