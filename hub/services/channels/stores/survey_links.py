"""The raw queries on `survey_links`: the signed survey links."""

from __future__ import annotations

from hub.models.link import SurveyLink
from hub.services.platform.store import CollectionStore

STORE = CollectionStore(SurveyLink)
