"""The raw queries on `themes`: the themes admins defined and their match rules."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pymongo import ReturnDocument
from pymongo.asynchronous.client_session import AsyncClientSession

from hub.models.theme import Theme
from hub.services.platform.store import CollectionStore, Raw

STORE = CollectionStore(Theme)


async def every(session: AsyncClientSession | None = None) -> list[Raw]:
    """Every theme, by key (as `session` reads them, when given)."""
    found = STORE.collection().find({}, session=session).sort("key", 1)
    return [theme async for theme in found]


async def by_key(key: str, session: AsyncClientSession) -> Raw | None:
    found: Raw | None = await STORE.collection().find_one({"key": key}, session=session)
    return found


async def named(name_folded: str, session: AsyncClientSession | None = None) -> Raw | None:
    """The theme with this case-folded name, if any."""
    found: Raw | None = await STORE.collection().find_one(
        {"name_folded": name_folded}, session=session
    )
    return found


async def change(
    key: str, version: int, values: Mapping[str, Any], session: AsyncClientSession
) -> Raw | None:
    """Set `values` on the theme `key` if it is still at `version`; the theme after,
    or None. DuplicateKeyError when the new name is taken."""
    changed: Raw | None = await STORE.collection().find_one_and_update(
        {"key": key, "version": version},
        {"$set": dict(values)},
        return_document=ReturnDocument.AFTER,
        session=session,
    )
    return changed


async def delete(key: str, session: AsyncClientSession) -> Raw | None:
    """Remove the theme `key`; the theme removed, or None."""
    removed: Raw | None = await STORE.collection().find_one_and_delete(
        {"key": key}, session=session
    )
    return removed
