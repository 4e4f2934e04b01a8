"""The rebuild: rollups recounted from the raw displays and responses, with the same
extraction the writes use (`hub.services.analytics.rollups`)."""

from __future__ import annotations

import contextlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bson import ObjectId
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import PyMongoError

from hub.errors import NotFound
from hub.models.activity import Display
from hub.models.response import Response
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
    scope: dict[str, Any] = {} if survey_key is None else {"survey_key": str(survey_key)}
    raw: dict[str, Any] = {**scope, "analytics_excluded": {"$ne": True}}
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
    async for row in Display.get_pymongo_collection().find(raw, DISPLAY_FIELDS):
        display_count += 1
        metric = metrics.get(row["survey_key"])
        if metric is not None:
            count(*display_increment(row, metric))
    async for row in Response.get_pymongo_collection().find(raw, RESPONSE_FIELDS):
        response_count += 1
        count(*response_increment(row))
    for grain in GRAINS:
        if survey_key is None:
            await _replace(grain, tables[grain])
        else:
            collection = grain.model.get_pymongo_collection()
            await collection.delete_many(scope)
            await write_table(collection, grain, tables[grain])
    return RebuildReport(
        displays=display_count,
        responses=response_count,
        daily_rollups=len(tables[DAYS]),
        hourly_rollups=len(tables[HOURS]),
        slot_rollups=len(tables[SLOTS]),
    )


async def _replace(grain: Grain, table: Table) -> None:
    """Write a grain's rollups into a new collection, then put it in place of the old
    one in one rename: dashboards read the old figures until then, never a half-written
    set, and the new collection starts without the old one's deleted entries."""
    live = grain.model.get_pymongo_collection()
    staging = live.database[f"{live.name}.rebuild-{ObjectId()}"]
    try:
        await staging.create_indexes(list(grain.model.Settings.indexes))
        await write_table(staging, grain, table)
        await staging.rename(live.name, dropTarget=True)
    except BaseException:
        with contextlib.suppress(PyMongoError):
            await staging.drop()
        raise


async def write_table(
    collection: AsyncCollection[dict[str, Any]], grain: Grain, table: Table
) -> None:
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
            await collection.insert_many(batch, ordered=False)
            batch = []
    if batch:
        await collection.insert_many(batch, ordered=False)
