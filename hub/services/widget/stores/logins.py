"""The raw queries on `logins`: the logins the contact rules count."""

from __future__ import annotations

from hub.models.activity import Login
from hub.services.platform.store import CollectionStore

STORE = CollectionStore(Login)
