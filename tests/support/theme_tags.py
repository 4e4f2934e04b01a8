"""Themes and tags for the theme analytics' tests: themes stored as an admin would
define them, and tags written on a response with the theme rollup listener told in the
same transaction, as the tagger (and a re-tag job) does."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bson import ObjectId

from hub.db import in_transaction
from hub.models.response import Response
from hub.models.theme import Theme, ThemeRule, ThemeTag
from hub.services.themes.listeners import ThemeTagListener
from tests.support.clock import START


async def define_themes(*keys: str) -> None:
    """A theme per key, named after it, with one English rule."""
    for key in keys:
        await Theme(
            key=key,
            name=key.title(),
            name_folded=key.title().casefold(),
            rules=[ThemeRule(language="en", terms=[key])],
            created_at=START,
            updated_at=START,
        ).insert()


async def tag(listener: ThemeTagListener, response_id: Any, keys: Sequence[str]) -> None:
    """Tag the response with the themes `keys` (instead of the ones it had)."""
    collection = Response.get_pymongo_collection()

    async def work(session: Any) -> None:
        stored = await collection.find_one({"_id": ObjectId(str(response_id))}, session=session)
        assert stored is not None
        before = [found["theme"] for found in stored.get("themes") or []]
        tags = [
            ThemeTag(theme=key, language="en", rule=key, words=[key]).model_dump() for key in keys
        ]
        await collection.update_one(
            {"_id": stored["_id"]},
            {"$set": {"themes": tags, "themes_pending": None}},
            session=session,
        )
        await listener.tags_changed(stored, before, list(keys), session)

    await in_transaction(collection.database.client, work)
