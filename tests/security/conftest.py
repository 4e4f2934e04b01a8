"""Helpers of the security tests: a fingerprint of everything stored."""

from __future__ import annotations

import hashlib

import pytest
from bson import json_util

from hub.db import Database


async def fingerprint(database: Database) -> str:
    """A hash of every document of every collection: equal means nothing was written."""
    digest = hashlib.sha256()
    for name in sorted(await database.list_collection_names()):
        digest.update(name.encode())
        async for document in database[name].find({}).sort("_id", 1):
            digest.update(json_util.dumps(document, sort_keys=True).encode())
    return digest.hexdigest()


@pytest.fixture
def snapshot(database: Database):  # type: ignore[no-untyped-def]
    async def take() -> str:
        return await fingerprint(database)

    return take
