"""Themes and tags arranged directly in the database: a theme as an admin would have
defined it, and the tags the tagger would have written on a response."""

from __future__ import annotations

from beanie import PydanticObjectId

from hub.clock import Clock
from hub.models.response import Response
from hub.models.theme import Theme, ThemeRule, ThemeTag
from hub.services import Services

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


async def store_tags(response_id: str | PydanticObjectId | None, *tags: ThemeTag) -> None:
    """Write tags on a response as the tagger does once it has matched the comment."""
    stored = await Response.get(PydanticObjectId(str(response_id)))
    assert stored is not None
    await stored.set({"themes": [tag.model_dump() for tag in tags], "themes_pending": None})
