"""Themes and tags arranged directly in the database: themes as an admin would have
defined them, and the tags the tagger would have written on a response — alone
(`store_tags`) or with a theme listener told in the same transaction (`tag`), as the
tagger and the re-tag jobs do."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from beanie import PydanticObjectId
from bson import ObjectId

from hub.clock import Clock
from hub.db import in_transaction
from hub.models.response import Response
from hub.models.theme import Theme, ThemeRule, ThemeTag
from hub.services import Services
from hub.services.themes.listeners import ThemeTagListener
from tests.support.clock import START

BILLING_RULES = [
    ThemeRule(language="en", terms=["invoice", "billing", "charged twice"]),
    ThemeRule(language="es", terms=["factura", "cobro"]),
    ThemeRule(language="nb", terms=["faktura*", "betaling"]),
]


async def given_theme(
    services: Services, clock: Clock, key: str, rules: list[ThemeRule] | None = None
) -> Theme:
    """A theme `key` (named after it), with `rules` or the billing rules; the catalog
    forgets what it cached, as the themes service does after a change."""
    now = clock.now()
    theme = Theme(
        key=key,
        name=key.title(),
        name_folded=key.casefold(),
        rules=rules or BILLING_RULES,
        created_at=now,
        updated_at=now,
    )
    await theme.insert()
    services.theme_catalog.forget()
    return theme


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


async def store_tags(response_id: str | PydanticObjectId | None, *tags: ThemeTag) -> None:
    """Write tags on a response as the tagger does once it has matched the comment."""
    stored = await Response.get(PydanticObjectId(str(response_id)))
    assert stored is not None
    await stored.set({"themes": [tag.model_dump() for tag in tags], "themes_pending": None})


async def tag(listener: ThemeTagListener, response_id: Any, keys: Sequence[str]) -> None:
    """Tag the response with the themes `keys` (instead of the ones it had), telling
    `listener` in the same transaction."""
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
