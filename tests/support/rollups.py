"""The rollups as rows, and the figures counted from the raw records: tests compare
what the rollups (and the changes not folded yet) say with what was recorded."""

from __future__ import annotations

from typing import Any

from hub.models.activity import Display
from hub.models.response import Response
from hub.models.rollup import COUNTERS, DailyRollup, HourlyRollup, SlotRollup
from hub.services.analytics.analytics import AnalyticsService
from hub.services.analytics.criteria import AnalyticsFilter

KEYS = (
    "detail",
    "survey_key",
    "metric",
    "product",
    "country",
    "channel",
    "company",
    "day",
    "hour",
    "slot",
)


async def rollup_rows() -> dict[str, list[tuple[Any, ...]]]:
    """The rollup collections as sorted rows, cells with only zeros left out."""
    found: dict[str, list[tuple[Any, ...]]] = {}
    for model in (DailyRollup, HourlyRollup, SlotRollup):
        rows = []
        async for doc in model.get_pymongo_collection().find({}, {"_id": 0}):
            counters = {k: v for k, v in doc.items() if k in COUNTERS}
            scores = {k: v for k, v in (doc.get("scores") or {}).items() if v}
            if not any(counters.values()) and not scores:
                continue
            rows.append(
                (
                    tuple(doc.get(k) for k in KEYS),
                    tuple(sorted((k, v) for k, v in counters.items() if v)),
                    tuple(sorted(scores.items())),
                )
            )
        found[model.Settings.name] = sorted(rows, key=repr)
    return found


async def raw_figures() -> tuple[int, int, int, int, int]:
    """Displays, declines, responses, comments and the sum of scores that count (the
    people taken out of analytics left out), from the records themselves."""
    counted = {"analytics_excluded": {"$ne": True}}
    responses = await Response.find(counted).to_list()
    return (
        await Display.find(counted).count(),
        await Display.find({**counted, "declined_at": {"$ne": None}}).count(),
        len(responses),
        sum(1 for response in responses if response.comment is not None),
        sum(response.score for response in responses),
    )


async def figures(
    analytics: AnalyticsService, criteria: AnalyticsFilter | None = None
) -> tuple[int, int, int, int, int]:
    """The same five figures as the analytics give them (rollups and changes not
    folded yet)."""
    criteria = criteria or AnalyticsFilter()
    summary = await analytics.summary(criteria)
    scores = await analytics.score_distribution(criteria)
    return (
        summary.displays,
        summary.declines,
        summary.responses,
        summary.comments,
        sum(count.score * count.count for count in scores),
    )
