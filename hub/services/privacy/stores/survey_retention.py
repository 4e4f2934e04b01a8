"""The raw queries on `survey_retention`: per-survey retention overrides."""

from __future__ import annotations

from hub.models.privacy import SurveyRetention
from hub.services.platform.store import CollectionStore

STORE = CollectionStore(SurveyRetention)
