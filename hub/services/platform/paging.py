"""Keyset paging for the lists that can grow: a page is the documents after a cursor
in one fixed sort order, whose last key is unique (`_id` or a sequence number), so a
page never repeats or skips a document that was there when the first page was read."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from beanie import Document, PydanticObjectId

from hub.errors import ErrorCode, ValidationFailed

D = TypeVar("D", bound=Document)

CursorValue = datetime | int | PydanticObjectId


@dataclass(frozen=True)
class SortKey:
    field: str
    ascending: bool = True


@dataclass(frozen=True)
class Page(Generic[D]):
    edges: list[tuple[str, D]]
    """Each document with its cursor, in the sort order."""
    has_next_page: bool
    total_count: int


def id_of(document: Document) -> PydanticObjectId:
    assert document.id is not None  # documents read from the database have one
    return document.id


def check_first(first: int, max_page_size: int) -> None:
    if not 1 <= first <= max_page_size:
        raise ValidationFailed(
            ErrorCode.INVALID_INPUT, f"first must be from 1 to {max_page_size}.", "first"
        )


def encode_cursor(values: Sequence[CursorValue]) -> str:
    encoded: list[object] = []
    for value in values:
        if isinstance(value, datetime):
            encoded.append({"d": value.isoformat()})
        elif isinstance(value, PydanticObjectId):
            encoded.append({"o": str(value)})
        else:
            encoded.append(value)
    return base64.urlsafe_b64encode(json.dumps(encoded).encode()).decode()


def decode_cursor(cursor: str, size: int) -> list[CursorValue]:
    invalid = ValidationFailed(ErrorCode.INVALID_INPUT, "The cursor is not valid.", "after")
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor.encode()).decode())
        if not isinstance(raw, list) or len(raw) != size:
            raise invalid
        values: list[CursorValue] = []
        for item in raw:
            if isinstance(item, dict) and set(item) == {"d"}:
                values.append(datetime.fromisoformat(item["d"]))
            elif isinstance(item, dict) and set(item) == {"o"}:
                values.append(PydanticObjectId(item["o"]))
            elif isinstance(item, int) and not isinstance(item, bool):
                values.append(item)
            else:
                raise invalid
        return values
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise invalid from None


def _after(sort: Sequence[SortKey], values: Sequence[CursorValue]) -> dict[str, Any]:
    """Documents strictly after `values` in the sort order."""
    branches: list[dict[str, Any]] = []
    for index, key in enumerate(sort):
        branch: dict[str, Any] = {sort[i].field: values[i] for i in range(index)}
        branch[key.field] = {"$gt" if key.ascending else "$lt": values[index]}
        branches.append(branch)
    return {"$or": branches}


async def page(
    document: type[D],
    query: dict[str, Any],
    sort: Sequence[SortKey],
    key_of: Callable[[D], Sequence[CursorValue]],
    first: int,
    after: str | None,
    max_page_size: int,
) -> Page[D]:
    """`first` documents matching `query` after the cursor `after`, in `sort` order.
    `key_of` gives a document's values of the sort keys, the last of them unique."""
    check_first(first, max_page_size)
    total = await document.find(query).count()
    page_query = query
    if after is not None:
        page_query = {"$and": [query, _after(sort, decode_cursor(after, len(sort)))]}
    order = [f"{'+' if key.ascending else '-'}{key.field}" for key in sort]
    found = await document.find(page_query).sort(*order).limit(first + 1).to_list()
    return Page(
        edges=[(encode_cursor(key_of(item)), item) for item in found[:first]],
        has_next_page=len(found) > first,
        total_count=total,
    )
