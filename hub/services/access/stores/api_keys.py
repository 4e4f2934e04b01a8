"""The raw queries on `api_keys`: the API keys."""

from __future__ import annotations

from typing import Any

from pymongo.asynchronous.cursor import AsyncCursor

from hub.models.apikey import ApiKey
from hub.services.platform.store import CollectionStore, Raw

STORE = CollectionStore(ApiKey)


def roles_of(key_ids: list[Any]) -> AsyncCursor[Raw]:
    """The role of each of these keys that exists."""
    return STORE.collection().find({"_id": {"$in": key_ids}}, projection={"role": 1})
