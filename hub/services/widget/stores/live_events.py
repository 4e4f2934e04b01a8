"""The raw queries on `live_events`: the events `responseEvents` subscribers receive."""

from __future__ import annotations

from typing import Any

from pymongo.asynchronous.change_stream import AsyncChangeStream

from hub.models.event import LiveEvent
from hub.services.platform.store import CollectionStore

STORE = CollectionStore(LiveEvent)


async def watch_inserts(resume_after: Any) -> AsyncChangeStream[Any]:
    """The stream of inserted events, from after `resume_after` (or from now)."""
    return await STORE.collection().watch(
        [{"$match": {"operationType": "insert"}}], resume_after=resume_after
    )
