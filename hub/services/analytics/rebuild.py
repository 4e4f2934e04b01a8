"""The rebuild: rollups recounted from the raw displays and responses, with the same
extraction the writes use (`hub.services.analytics.rollups`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hub.errors import NotFound
from hub.models.rollup import DIMENSIONS
from hub.models.survey import Survey
from hub.services.analytics.grains import DAYS, GRAINS, HOURS, SLOTS, Grain
from hub.services.analytics.rollups import (
    DISPLAY_FIELDS,
    RESPONSE_FIELDS,
    display_increment,
    levels,
    response_increment,
)
from hub.services.analytics.stores import rollups
from hub.services.widget.stores import displays, responses

_WRITE_BATCH = 1000

# Counters per rollup key (the dimensions, then the grain's time).
Table = dict[tuple[Any, ...], dict[str, int]]


@dataclass(frozen=True)
class RebuildReport:
    displays: int
    responses: int
    daily_rollups: int
    hourly_rollups: int
    slot_rollups: int


async def rebuild(survey_key: str | None = None) -> RebuildReport:
    """Recompute rollups (of one survey, or all) from displays and responses.

    Streams the raw records with a cursor and keeps only one counter set per rollup in
    memory. Writes that land while it runs may be missed: run it when the survey is
    quiet. Rebuilding every survey swaps whole collections in (see `_replace`); one
    survey's rollups are replaced in place."""
    metrics = {survey.key: survey.metric for survey in await Survey.find_all().to_list()}
    if survey_key is not None and survey_key not in metrics:
        raise NotFound("Survey", "surveyKey")
    tables: dict[Grain, Table] = {grain: defaultdict(lambda: defaultdict(int)) for grain in GRAINS}

    def count(dimensions: dict[str, Any], at: datetime, counters: dict[str, int]) -> None:
        times = [(tables[grain], grain.floor(at)) for grain in GRAINS]
        for level in levels(dimensions):
            key = tuple(level[name] for name in DIMENSIONS)
            for table, time in times:
                cell = table[(*key, time)]
                for name, value in counters.items():
                    cell[name] += value

    display_count = response_count = 0
    async for row in displays.counted(survey_key, DISPLAY_FIELDS):
        display_count += 1
        metric = metrics.get(row["survey_key"])
        if metric is not None:
            count(*display_increment(row, metric))
    async for row in responses.counted(survey_key, RESPONSE_FIELDS):
        response_count += 1
        count(*response_increment(row))
    for grain in GRAINS:

        def write(insert: rollups.Insert, grain: Grain = grain) -> Awaitable[None]:
            return write_table(insert, grain, tables[grain])

        if survey_key is None:
            await rollups.replace_all(grain.model, write)
        else:
            await rollups.replace_survey(grain.model, str(survey_key), write)
    return RebuildReport(
        displays=display_count,
        responses=response_count,
        daily_rollups=len(tables[DAYS]),
        hourly_rollups=len(tables[HOURS]),
        slot_rollups=len(tables[SLOTS]),
    )


async def write_table(insert: rollups.Insert, grain: Grain, table: Table) -> None:
    batch: list[dict[str, Any]] = []
    for key, counters in table.items():
        document: dict[str, Any] = dict(zip(DIMENSIONS, key[:-1], strict=True))
        document[grain.field] = key[-1]
        scores: dict[str, int] = {}
        for name, value in counters.items():
            if name.startswith("scores."):
                scores[name.removeprefix("scores.")] = value
            else:
                document[name] = value
        if scores:
            document["scores"] = scores
        batch.append(document)
        if len(batch) >= _WRITE_BATCH:
            await insert(batch)
            batch = []
    if batch:
        await insert(batch)
