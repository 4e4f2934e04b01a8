"""The raw queries on `opt_out_objections`: objections to processing."""

from __future__ import annotations

from hub.models.suppression import OptOutObjection
from hub.services.platform.store import CollectionStore

STORE = CollectionStore(OptOutObjection)
