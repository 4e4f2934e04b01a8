"""A transaction's writes that answer nothing, sent together.

A transaction that batches (`hub.db.in_transaction(batched=True)`) holds the writes its
work hands to `write_later` and `insert_later` (new documents, updates whose result
nobody reads) and sends them as one client-level `bulkWrite`, in order, once the work
is done and before the commit; on a server older than MongoDB 8.0, one command each.
Outside such a transaction the same calls write at once.
"""

from __future__ import annotations

import contextvars
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from beanie import Document, PydanticObjectId
from beanie.odm.utils.dump import get_dict
from pymongo import AsyncMongoClient, InsertOne, UpdateOne
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import (
    ClientBulkWriteException,
    DuplicateKeyError,
    OperationFailure,
    PyMongoError,
)

D = TypeVar("D", bound=Document)
T = TypeVar("T")


async def insert_new(document: D, session: AsyncClientSession | None = None) -> D:
    """Insert a new document under an id made here. Given no id, Beanie converts the
    one the server made through a pydantic TypeAdapter it builds anew on every insert:
    about 4% of a widget call's processor time, measured with py-spy under load."""
    if document.id is None:
        document.id = PydanticObjectId()
    await document.insert(session=session)
    return document


# MongoDB 8.0's client-level `bulkWrite` command: writes to several collections in one.
BULK_WRITE_WIRE_VERSION = 25
DUPLICATE_KEY = 11000
WRITE_CONFLICT = 112
Collection = AsyncCollection[dict[str, Any]]


@dataclass(frozen=True)
class Insert:
    document: dict[str, Any]


@dataclass(frozen=True)
class Update:
    filter: Mapping[str, Any]
    update: Mapping[str, Any]
    upsert: bool = False


Write = Insert | Update


class Batch:
    """The writes of one transaction that answer nothing (new documents, updates
    whose result nobody reads), held until its work is done and then sent as one
    client-level `bulkWrite` command, in order, in the transaction; on a server older
    than MongoDB 8.0, one command each. A widget call's transaction sent three or four
    commands for these, each a round trip and, on the embedded database, a statement
    run under the server-wide lock."""

    def __init__(self, session: AsyncClientSession) -> None:
        self.session = session
        self.writes: list[tuple[Collection, Write]] = []

    def add(self, collection: Collection, write: Write) -> None:
        self.writes.append((collection, write))

    async def send(self) -> None:
        writes, self.writes = self.writes, []
        if not writes:
            return
        client = self.session.client
        if len(writes) == 1 or not _bulk_write_supported(client):
            for collection, write in writes:
                await _one(collection, write, self.session)
            return
        models = [_client_model(collection, write) for collection, write in writes]
        try:
            await client.bulk_write(models, session=self.session, ordered=True)
        except ClientBulkWriteException as error:
            raise _as_single_write_error(error) from None


_BATCH: contextvars.ContextVar[Batch | None] = contextvars.ContextVar("batch", default=None)


def batch_of(session: AsyncClientSession | None) -> Batch | None:
    """The batch of `session`'s transaction, when it batches its writes."""
    batch = _BATCH.get()
    if batch is None or session is None or batch.session is not session:
        return None
    return batch


def _bulk_write_supported(client: AsyncMongoClient[dict[str, Any]]) -> bool:
    """Whether every server the client knows of takes `bulkWrite` (MongoDB 8.0 and
    later, SecantusDB), as the driver's own monitoring found them."""
    servers = client.topology_description.server_descriptions().values()
    versions = [server.max_wire_version for server in servers if server.is_writable]
    return bool(versions) and min(versions) >= BULK_WRITE_WIRE_VERSION


def _client_model(collection: Collection, write: Write) -> InsertOne[Any] | UpdateOne:
    namespace = f"{collection.database.name}.{collection.name}"
    if isinstance(write, Insert):
        return InsertOne(write.document, namespace=namespace)
    return UpdateOne(write.filter, write.update, upsert=write.upsert, namespace=namespace)


async def _one(collection: Collection, write: Write, session: AsyncClientSession) -> None:
    if isinstance(write, Insert):
        await collection.insert_one(write.document, session=session)
    else:
        await collection.update_one(
            write.filter, write.update, upsert=write.upsert, session=session
        )


def _as_single_write_error(error: ClientBulkWriteException) -> PyMongoError:
    """The error a single write would have raised: the server's or network's error as
    it came (with its labels, so a transient one retries the transaction), or the
    first write error, a duplicate key as `DuplicateKeyError`."""
    if isinstance(error.error, PyMongoError):
        return error.error
    found: list[dict[str, Any]] = list(error.details.get("writeErrors") or [])
    for write_error in found:
        code = int(write_error.get("code", 0))
        message = str(write_error.get("errmsg", "write error"))
        if code == DUPLICATE_KEY:
            return DuplicateKeyError(message, code, write_error)
        if code == WRITE_CONFLICT:  # in a transaction, always worth another attempt
            return OperationFailure(
                message, code, {**write_error, "errorLabels": ["TransientTransactionError"]}
            )
        return OperationFailure(message, code, write_error)
    return error


async def write_later(
    collection: Collection, write: Write, session: AsyncClientSession | None
) -> None:
    """A write that answers nothing: held for the batch of `session`'s transaction
    when it batches, else done now."""
    batch = batch_of(session)
    if batch is not None:
        batch.add(collection, write)
        return
    if session is None:
        raise ValueError("a write held for later needs the transaction's session")
    await _one(collection, write, session)


async def insert_later(document: D, session: AsyncClientSession | None) -> D:
    """`insert_new` held for the batch of `session`'s transaction when it batches (a
    new document under an id made here conflicts with nothing, so nothing waits for
    its answer), else done now."""
    if batch_of(session) is None:
        return await insert_new(document, session)
    if document.id is None:
        document.id = PydanticObjectId()
    raw = get_dict(document, to_db=True, keep_nulls=document.get_settings().keep_nulls)
    await write_later(document.get_pymongo_collection(), Insert(raw), session)
    return document


def batching(
    work: Callable[[AsyncClientSession], Awaitable[T]],
) -> Callable[[AsyncClientSession], Awaitable[T]]:
    async def batched(session: AsyncClientSession) -> T:
        batch = Batch(session)
        token = _BATCH.set(batch)
        try:
            result = await work(session)
            await batch.send()
        finally:
            _BATCH.reset(token)
        return result

    return batched
