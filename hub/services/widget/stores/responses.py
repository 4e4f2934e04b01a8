"""The raw queries on `responses`: the scores and comments."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import bson
from bson import ObjectId
from pymongo import DESCENDING, UpdateMany
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.cursor import AsyncCursor

from hub.batch import Update, write_later
from hub.models.response import Response
from hub.services.platform.store import CollectionStore, Raw

STORE = CollectionStore(Response)


async def set_comment(
    response_id: Any,
    text: str,
    now: datetime,
    survey_keys: frozenset[str] | None,
    session: AsyncClientSession,
) -> Raw | None:
    """Comment a response that has none yet (of one of `survey_keys`, when given),
    leaving it for the theme tagger (`themes_pending`); the response as commented, or
    None if it has a comment or is not there (or of another survey). The response is
    read in the transaction and the comment written with its batch when it batches: a
    comment that commits between the two makes this write conflict, so the
    transaction runs again and reads that comment."""
    query: dict[str, Any] = {"_id": response_id, "comment": None}
    if survey_keys is not None:
        query["survey_key"] = {"$in": sorted(survey_keys)}
    found = await STORE.collection().find_one(query, session=session)
    if found is None:
        return None
    comment = {"comment": text, "commented_at": now, "themes_pending": True}
    await write_later(
        STORE.collection(),
        Update({"_id": response_id, "comment": None}, {"$set": comment}),
        session,
    )
    return {**found, **comment}


# -- theme tags (hub/services/themes): what the tagger and the re-tag jobs read and write


async def any_themes_pending() -> bool:
    """Whether a comment waits for the tagger."""
    found = await STORE.collection().find_one({"themes_pending": True}, projection={"_id": 1})
    return found is not None


async def themes_pending(limit: int, session: AsyncClientSession) -> list[Raw]:
    """The oldest comments waiting for the tagger, at most `limit`, by id."""
    found = (
        STORE.collection()
        .find({"themes_pending": True}, session=session)
        .sort([("themes_pending", 1), ("_id", 1)])
        .limit(limit)
    )
    return [response async for response in found]


async def newest_id() -> ObjectId | None:
    """The id of the newest response, where a walk over them all may stop."""
    found = await STORE.collection().find_one({}, projection={"_id": 1}, sort=[("_id", -1)])
    return None if found is None else found["_id"]


def _commented_until(until: ObjectId) -> dict[str, Any]:
    return {"comment": {"$ne": None}, "_id": {"$lte": until}}


async def count_commented_until(until: ObjectId) -> int:
    """How many responses up to the id `until` have a comment."""
    return await STORE.collection().count_documents(_commented_until(until))


async def commented_chunk(
    until: ObjectId, after: ObjectId | None, limit: int, session: AsyncClientSession
) -> list[Raw]:
    """One chunk of a walk over the commented responses up to `until`, in id order,
    after `after`: whole documents, as the theme tag listeners get them."""
    # An empty projection: the whole document.
    found = STORE.in_id_order(_commented_until(until), {}, after, limit, session)
    return [response async for response in found]


async def write_theme_tags(
    tagged: list[tuple[Raw, list[dict[str, Any]]]], session: AsyncClientSession
) -> int:
    """Set each response's tags and take it off the tagger's list (`tagged`: each
    response as `session`'s transaction read it, with its new tags), in one command
    with one statement per distinct set of tags: comments mostly share theirs (none,
    or one theme), and the embedded database plans every statement anew. Nothing is
    conditioned on the response as read: a write that commits to one of them after
    the read makes this one conflict, and the transaction runs again. How many of
    the responses were there to write."""
    if not tagged:
        return 0
    groups: dict[bytes, tuple[list[dict[str, Any]], list[Any]]] = {}
    for raw, tags in tagged:
        key = bson.encode({"tags": tags})
        groups.setdefault(key, (tags, []))[1].append(raw["_id"])
    updates = [
        UpdateMany(
            {"_id": {"$in": ids}}, {"$set": {"themes": tags}, "$unset": {"themes_pending": ""}}
        )
        for tags, ids in groups.values()
    ]
    result = await STORE.collection().bulk_write(updates, ordered=False, session=session)
    return result.matched_count


async def newest_page(
    query: dict[str, Any],
    hint: list[tuple[str, int]],
    after: tuple[datetime, Any] | None,
    limit: int,
) -> tuple[int, list[Raw]]:
    """How many responses match `query`, and up to `limit` of them, newest first,
    after the one answered at `after` (answered_at, id)."""
    collection = STORE.collection()
    total = await collection.count_documents(query, hint=hint)
    page_query = dict(query)
    if after is not None:
        answered_at, object_id = after
        page_query = {
            "$and": [
                query,
                {
                    "$or": [
                        {"answered_at": {"$lt": answered_at}},
                        {"answered_at": answered_at, "_id": {"$lt": object_id}},
                    ]
                },
            ]
        }
    cursor = (
        collection.find(page_query)
        .sort([("answered_at", DESCENDING), ("_id", DESCENDING)])
        .hint(hint)
        .limit(limit)
    )
    return total, [raw async for raw in cursor]


def commented_by(user_id: str) -> AsyncCursor[Raw]:
    """A person's commented responses."""
    return STORE.collection().find({"user.id": user_id, "comment": {"$ne": None}})


def counted(
    survey_key: str | None,
    projection: Mapping[str, Any],
    after: ObjectId | None,
    limit: int,
    session: AsyncClientSession,
) -> AsyncCursor[Raw]:
    """The responses the analytics count (of one survey, or all), in id order from
    after `after`, at most `limit`, as `session` reads them: `projection` of each."""
    query: dict[str, Any] = {} if survey_key is None else {"survey_key": str(survey_key)}
    query["analytics_excluded"] = {"$ne": True}
    return STORE.in_id_order(query, projection, after, limit, session)


async def set_excluded(user_id: str, excluded: bool, session: AsyncClientSession) -> None:
    """Take a person's responses out of the analytics (or put them back)."""
    await STORE.collection().update_many(
        {"user.id": user_id, "analytics_excluded": {"$ne": excluded}},
        {"$set": {"analytics_excluded": excluded}},
        session=session,
    )


def newest_first(query: dict[str, Any], batch_size: int) -> AsyncCursor[Raw]:
    """The responses matching `query`, newest first, read `batch_size` at a time."""
    return (
        STORE.collection()
        .find(query)
        .sort([("answered_at", -1), ("_id", -1)])
        .batch_size(batch_size)
    )


def of_people_oldest_first(user_ids: list[str], emails: list[str]) -> AsyncCursor[Raw]:
    """The responses of these user ids or e-mail addresses, oldest first."""
    query: dict[str, Any] = {
        "$or": [{"user.id": {"$in": user_ids}}, {"user.email": {"$in": emails}}]
    }
    return STORE.collection().find(query).sort("answered_at", 1)


def commented_matching(pattern: str) -> AsyncCursor[Raw]:
    """The responses whose comment matches `pattern` (a regular expression, ignoring case)."""
    return STORE.collection().find({"comment": {"$regex": pattern, "$options": "i"}})


async def set_comment_text(
    response_id: Any, comment: str, themes: Sequence[Mapping[str, Any]]
) -> None:
    """Replace a response's comment (a redaction) and its theme tags (redacted as the
    comment); the redacted comment waits to be matched against the themes again."""
    await STORE.collection().update_one(
        {"_id": response_id},
        {"$set": {"comment": comment, "themes": list(themes), "themes_pending": True}},
    )


def identified_answered_by(
    survey_key: str, latest: datetime, anonymous_id: str | None
) -> AsyncCursor[Raw]:
    """A survey's responses answered by `latest` and not yet anonymised: their id,
    answer time, comment, theme tags and user id."""
    return STORE.collection().find(
        {
            "survey_key": survey_key,
            "answered_at": {"$lte": latest},
            "user.id": {"$ne": anonymous_id},
        },
        projection={"_id": 1, "answered_at": 1, "comment": 1, "themes": 1, "user.id": 1},
    )


async def anonymise(
    response_id: Any,
    anonymous_user: Mapping[str, Any],
    comment: Any,
    themes: Sequence[Mapping[str, Any]],
    themes_pending: bool | None,
) -> None:
    """Replace a response's person, URL and company (its comment by `comment`, its
    theme tags by `themes`, and whether they wait to be matched again)."""
    await STORE.collection().update_one(
        {"_id": response_id},
        {
            "$set": {
                "user": anonymous_user,
                "url": None,
                "customer.company": None,
                "comment": comment,
                "themes": list(themes),
                "themes_pending": themes_pending,
            }
        },
    )


def commented_between(
    survey_keys: list[str], start: datetime, end: datetime, locales: str | None, limit: int
) -> AsyncCursor[Raw]:
    """The commented responses of `survey_keys` answered from `start` (inclusive) to
    `end` that the analytics count, newest first, at most `limit`, read through the
    survey and answer-time index: their id, comment, locale, metric and score. With
    `locales` (a regular expression), only those whose locale matches it."""
    query: dict[str, Any] = {
        "survey_key": {"$in": [str(key) for key in survey_keys]},
        "answered_at": {"$gte": start, "$lt": end},
        "comment": {"$ne": None},
        "analytics_excluded": {"$ne": True},
    }
    if locales is not None:
        query["locale"] = {"$regex": locales, "$options": "i"}
    return (
        STORE.collection()
        .find(query, projection={"comment": 1, "locale": 1, "metric": 1, "score": 1})
        .sort([("answered_at", DESCENDING), ("_id", DESCENDING)])
        .hint([("survey_key", 1), ("answered_at", DESCENDING)])
        .limit(limit)
    )
