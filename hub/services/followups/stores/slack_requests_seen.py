"""The raw queries on `slack_requests_seen`: Slack requests already handled."""

from __future__ import annotations

from hub.models.slack import SlackRequestSeen
from hub.services.platform.store import CollectionStore

STORE = CollectionStore(SlackRequestSeen)
