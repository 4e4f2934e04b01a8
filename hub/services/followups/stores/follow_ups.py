"""The raw queries on `follow_ups`: the follow-ups of comments."""

from __future__ import annotations

from hub.models.followup import FollowUp
from hub.services.platform.store import CollectionStore

STORE = CollectionStore(FollowUp)
