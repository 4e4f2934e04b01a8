"""The raw queries on `live_events`: the events `responseEvents` subscribers receive."""

from __future__ import annotations

from hub.models.event import LiveEvent
from hub.services.platform.store import CollectionStore

STORE = CollectionStore(LiveEvent)
