"""The raw queries on `console_sessions`: none beyond the store itself; the console's
service (hub/services/access/console.py) reads and writes through the model."""

from __future__ import annotations

from hub.models.console import ConsoleSession
from hub.services.platform.store import CollectionStore

STORE = CollectionStore(ConsoleSession)
