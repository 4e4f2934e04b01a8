"""The raw queries on `api_keys`: the API keys."""

from __future__ import annotations

from hub.models.apikey import ApiKey
from hub.services.platform.store import CollectionStore

STORE = CollectionStore(ApiKey)
