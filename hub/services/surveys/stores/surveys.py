"""The raw queries on `surveys`: the surveys."""

from __future__ import annotations

from hub.models.survey import Survey
from hub.services.platform.store import CollectionStore

STORE = CollectionStore(Survey)
