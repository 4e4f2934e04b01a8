"""The raw queries on `rights_requests`: the rights requests."""

from __future__ import annotations

from hub.models.privacy import RightsRequest
from hub.services.platform.store import CollectionStore

STORE = CollectionStore(RightsRequest)
