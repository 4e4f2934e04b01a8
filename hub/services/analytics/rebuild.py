"""The rebuild: rollups recounted from the raw displays and responses, and theme
rollups from the responses' tags (`Response.themes`), with the same extraction the
writes use (`hub.services.analytics.rollups`), while writes go on.

The rollups hold what the folder has folded; the changes not folded yet wait in
`rollup_changes`, and a figure is the sum of both. So the rebuilt rollups must be the
raw counts minus the changes still waiting, and the waiting changes are folded into
them afterwards. The folder is paused meanwhile (`RollupFolder.paused`), so nothing is
folded between the count and the swap.

Both are read in the same snapshot, a chunk of records at a time (one short
read-only transaction each: a server ends a transaction that runs past its lifetime,
a minute on MongoDB, and a rebuild of millions of records takes longer). A chunk is
the records with ids in (a, b]: the changes waiting for those records in that
snapshot are exactly the ones that record state includes and the rollups do not, so
they are taken away. A record, or a change to it, committed after its chunk was read
is in neither, and the folder adds it later. Chunks of successive records cover every
id once, the last one open-ended; so the result is exact however writes, exclusions
and restrictions interleave."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from bson import ObjectId
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.cursor import AsyncCursor

from hub.errors import NotFound
from hub.models.common import Metric
from hub.models.rollup import DIMENSIONS, RecordType
from hub.models.survey import Survey
from hub.models.theme_rollup import THEME_DIMENSIONS
from hub.services.analytics.grains import DAYS, GRAINS, HOURS, SLOTS, Grain
from hub.services.analytics.rollups import (
    DISPLAY_FIELDS,
    RESPONSE_FIELDS,
    Table,
    display_increment,
    response_increment,
)
from hub.services.analytics.stores import rollup_changes, rollups
from hub.services.analytics.theme_rollups import ChangeTables
from hub.services.platform.store import Raw
from hub.services.widget.stores import displays, responses

_WRITE_BATCH = 1000
# Records read per snapshot: a short transaction on any server.
CHUNK = 2000

# The records of one kind the analytics count, from after an id, as a session reads them.
Counted = Callable[
    [str | None, Mapping[str, Any], ObjectId | None, int, AsyncClientSession], AsyncCursor[Raw]
]


@dataclass(frozen=True)
class RebuildReport:
    displays: int
    responses: int
    daily_rollups: int
    hourly_rollups: int
    slot_rollups: int
    theme_daily_rollups: int = 0


async def rebuild(survey_key: str | None = None) -> RebuildReport:
    """Recompute rollups (of one survey, or all) from displays and responses, and
    theme rollups from the responses' tags; the caller has paused the folder.

    Keeps only one counter set per rollup in memory. Rebuilding every survey swaps
    whole collections in (see `rollups.replace_all`); one survey's rollups are
    replaced in place."""
    metrics = {survey.key: survey.metric for survey in await Survey.find_all().to_list()}
    if survey_key is not None and survey_key not in metrics:
        raise NotFound("Survey", "surveyKey")
    tables = ChangeTables()

    def display(row: Raw) -> None:
        metric = metrics.get(row["survey_key"])
        if metric is not None:
            tables.add(display_increment(row, Metric(metric)))

    def response(row: Raw) -> None:
        count_response(tables, row)

    display_count = await _count_records(
        tables, survey_key, RecordType.DISPLAY, displays.counted, DISPLAY_FIELDS, display
    )
    response_count = await _count_records(
        tables,
        survey_key,
        RecordType.RESPONSE,
        responses.counted,
        {**RESPONSE_FIELDS, "themes.theme": 1},
        response,
    )
    await replace_rollups(tables, survey_key)
    return RebuildReport(
        displays=display_count,
        responses=response_count,
        daily_rollups=len(tables.rollups[DAYS]),
        hourly_rollups=len(tables.rollups[HOURS]),
        slot_rollups=len(tables.rollups[SLOTS]),
        theme_daily_rollups=len(tables.themes[DAYS]),
    )


def count_response(tables: ChangeTables, row: Raw) -> None:
    """Count one response (RESPONSE_FIELDS and its tags' themes) into `tables`."""
    tables.add(response_increment(row))
    tables.add_mentions(row)


async def replace_rollups(tables: ChangeTables, survey_key: str | None = None) -> None:
    """Put the counted `tables` in place of the rollups (of one survey, or all)."""
    for grain in GRAINS:
        for model, table, names in (
            (grain.model, tables.rollups[grain], DIMENSIONS),
            (grain.theme_model, tables.themes[grain], THEME_DIMENSIONS),
        ):

            def write(
                insert: rollups.Insert,
                grain: Grain = grain,
                table: Table = table,
                names: tuple[str, ...] = names,
            ) -> Awaitable[None]:
                return write_table(insert, grain, table, names)

            if survey_key is None:
                await rollups.replace_all(model, write)
            else:
                await rollups.replace_survey(model, str(survey_key), write)


async def _count_records(
    tables: ChangeTables,
    survey_key: str | None,
    record_type: RecordType,
    counted: Counted,
    fields: Mapping[str, Any],
    add: Callable[[Raw], None],
) -> int:
    """Count the records of one type into `tables` (`add` counts one), less their
    changes still waiting (theme mentions included), a chunk per snapshot (see the
    module); how many records were counted."""
    waiting_query: dict[str, Any] = {"record_type": record_type.value}
    if survey_key is not None:
        waiting_query["survey_key"] = str(survey_key)
    after: ObjectId | None = None
    total = 0
    while True:

        async def read(
            session: AsyncClientSession, after: ObjectId | None = after
        ) -> tuple[list[Raw], list[Raw]]:
            rows = await counted(survey_key, fields, after, CHUNK, session).to_list()
            through = rows[-1]["_id"] if len(rows) == CHUNK else None
            waiting = await rollup_changes.of_records(waiting_query, after, through, session)
            return rows, waiting

        rows, waiting = await rollups.in_snapshot(read)
        for row in rows:
            add(row)
        for change in waiting:
            tables.add_change(change, -1)
        total += len(rows)
        if len(rows) < CHUNK:
            return total
        after = rows[-1]["_id"]


async def write_table(
    insert: rollups.Insert, grain: Grain, table: Table, names: tuple[str, ...] = DIMENSIONS
) -> None:
    batch: list[dict[str, Any]] = []
    for key, counters in table.items():
        document: dict[str, Any] = dict(zip(names, key[:-1], strict=True))
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
