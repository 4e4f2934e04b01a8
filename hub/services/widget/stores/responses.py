"""The raw queries on `responses`: the scores and comments."""

from __future__ import annotations

from hub.models.response import Response
from hub.services.platform.store import CollectionStore

STORE = CollectionStore(Response)
