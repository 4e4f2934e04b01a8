"""The raw queries on `survey_retention`: per-survey retention overrides."""

from __future__ import annotations

from hub.models.privacy import SurveyRetention
from hub.services.platform.store import CollectionStore

STORE = CollectionStore(SurveyRetention)


async def set_days(survey_key: str, days: int | None) -> None:
    await STORE.collection().update_one(
        {"survey_key": survey_key}, {"$set": {"days": days}}, upsert=True
    )


async def overrides() -> dict[str, int | None]:
    """Each overridden survey's days (None: the default)."""
    return {raw["survey_key"]: raw.get("days") async for raw in STORE.collection().find()}
