"""The raw queries on `slack_users`: the Slack names of staff."""

from __future__ import annotations

from hub.models.slack import SlackUser
from hub.services.platform.store import CollectionStore

STORE = CollectionStore(SlackUser)
