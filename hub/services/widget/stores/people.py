"""The raw queries on `people`: one document per person seen."""

from __future__ import annotations

from hub.models.activity import Person
from hub.services.platform.store import CollectionStore

STORE = CollectionStore(Person)
