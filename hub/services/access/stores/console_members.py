"""The raw queries on `console_members`: none beyond the store itself; the console's
service (hub/services/access/console.py) reads and writes through the model."""

from __future__ import annotations

from hub.models.console import ConsoleMember
from hub.services.platform.store import CollectionStore

STORE = CollectionStore(ConsoleMember)
