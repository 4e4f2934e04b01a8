"""The raw queries on `logins`: the logins the contact rules count."""

from __future__ import annotations

from datetime import datetime

from hub.models.activity import Login
from hub.services.platform.store import CollectionStore

STORE = CollectionStore(Login)


async def delete_before(cutoff: datetime, dry_run: bool) -> int:
    """Delete the logins before `cutoff`; how many (with `dry_run`, only count)."""
    query = {"logged_in_at": {"$lt": cutoff}}
    if dry_run:
        return await STORE.collection().count_documents(query)
    return (await STORE.collection().delete_many(query)).deleted_count
