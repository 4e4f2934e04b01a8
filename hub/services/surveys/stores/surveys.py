"""The raw queries on `surveys`: the surveys."""

from __future__ import annotations

from pymongo.asynchronous.cursor import AsyncCursor

from hub.models.survey import Survey
from hub.services.platform.store import CollectionStore, Raw

STORE = CollectionStore(Survey)


def contact_rules_of_all() -> AsyncCursor[Raw]:
    """Every survey's contact rules."""
    return STORE.collection().find({}, projection={"contact_rules": 1})


async def all_keys() -> list[str]:
    return [raw["key"] async for raw in STORE.collection().find({}, {"key": 1})]
