"""The raw queries on `contact_states`: a person's last display, answer and decline per survey."""

from __future__ import annotations

from hub.models.activity import ContactState
from hub.services.platform.store import CollectionStore

STORE = CollectionStore(ContactState)
