"""The raw (PyMongo) side of a collection.

Every collection has exactly one store module, `hub/services/<domain>/stores/<name>.py`,
that builds its `CollectionStore` and holds every raw query on it as a named function
(filters, updates, aggregations with their string field paths); services call those
functions. Beanie's typed queries (`Model.find(Model.field == x)`) may stay in the
services. `hub/services/stores.py` lists the stores, and `tests/test_layers.py` checks
that nothing else reaches a PyMongo collection.

The generic methods below are for the code driven by the personal-data registry
(`hub/services/privacy/registry.py`): access exports, erasure, rectification, the
identity checks and the e-mail migration run one query per registered collection,
with filters built from the registry's paths (`subjects.subject_filter`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from beanie import Document
from pymongo import AsyncMongoClient
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.command_cursor import AsyncCommandCursor
from pymongo.asynchronous.cursor import AsyncCursor

from hub.db import Database

Raw = dict[str, Any]
Query = Mapping[str, Any]


class CollectionStore:
    """One collection, reached through Beanie's binding or, for callers that open
    their own client without Beanie (the doctor), through a given database."""

    def __init__(self, model: type[Document]) -> None:
        self.model = model
        self.name = str(model.Settings.name)

    def collection(self, database: Database | None = None) -> AsyncCollection[Raw]:
        """For the store module's own functions only."""
        if database is not None:
            return database[self.name]
        collection: AsyncCollection[Raw] = self.model.get_pymongo_collection()
        return collection

    def client(self) -> AsyncMongoClient[Raw]:
        """The client the collection is bound to, to start a session (a transaction
        spans collections)."""
        return self.collection().database.client

    async def update_then_read(
        self, query: Query, update: Mapping[str, Any], session: AsyncClientSession
    ) -> Raw | None:
        """What `find_one_and_update(query, update, return_document=AFTER)` answers,
        as an update of the one document `query` names by `_id` and a read of it by
        id, in the caller's transaction (`session`), so that no other write comes
        between the two; None when nothing matched.

        Two commands where one would do, because the embedded database (SecantusDB
        0.7) answers findAndModify in time that grows with the collection, by `_id`
        too: 40 ms at 3,000 documents, 2.7 ms at 100, against a constant 2 to 3 ms for
        an update by `_id` and under 1 ms for a read. On MongoDB this costs one read by
        `_id` more."""
        if "_id" not in query or session is None or not session.in_transaction:
            raise ValueError("update_then_read needs the document's _id and a transaction")
        result = await self.collection().update_one(query, update, session=session)
        if not result.matched_count:
            return None
        found: Raw | None = await self.collection().find_one({"_id": query["_id"]}, session=session)
        return found

    async def index_keys(self, database: Database) -> set[tuple[tuple[str, Any], ...]]:
        """The keys of every index the collection has in `database`."""
        cursor = await self.collection(database).list_indexes()
        return {tuple((str(k), v) for k, v in index["key"].items()) async for index in cursor}

    # -- the registry's generic queries

    def documents(
        self, query: Query, projection: Mapping[str, Any] | None = None
    ) -> AsyncCursor[Raw]:
        return self.collection().find(query, projection=projection)

    async def count(self, query: Query) -> int:
        return await self.collection().count_documents(query)

    async def delete_where(self, query: Query) -> int:
        return (await self.collection().delete_many(query)).deleted_count

    async def set_where(self, query: Query, values: Mapping[str, Any]) -> int:
        """Set `values` on every matching document; how many changed."""
        return (await self.collection().update_many(query, {"$set": values})).modified_count

    async def set_one_where(self, query: Query, values: Mapping[str, Any]) -> int:
        """Set `values` on the first matching document; 1 if it changed."""
        return (await self.collection().update_one(query, {"$set": values})).modified_count

    def in_id_order(
        self,
        query: Query,
        projection: Mapping[str, Any],
        after: Any | None,
        limit: int,
        session: AsyncClientSession | None = None,
    ) -> AsyncCursor[Raw]:
        """One chunk of a walk over the matching documents in id order: those after the
        id `after` (all from the start when None), at most `limit`."""
        found = dict(query) if after is None else {**query, "_id": {"$gt": after}}
        return (
            self.collection().find(found, projection, session=session).sort("_id", 1).limit(limit)
        )

    async def aggregate(self, pipeline: Sequence[Mapping[str, Any]]) -> AsyncCommandCursor[Raw]:
        return await self.collection().aggregate(list(pipeline))
