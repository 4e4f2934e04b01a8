"""The baseline of bench/submit.py: bare Starlette endpoints doing the same database
work as the widget flow (the same reads, the same writes in the same transactions)
with PyMongo async and nothing else: no GraphQL, no validation, no ODM, no auth."""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from bson import ObjectId
from pymongo import AsyncMongoClient, UpdateOne
from pymongo.asynchronous.client_session import AsyncClientSession
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
    os.environ["BENCH_MONGODB_URI"], tz_aware=True
)
db = client[os.environ["BENCH_DB_NAME"]]


def now() -> datetime:
    return datetime.now(UTC)


async def rollup(dimensions: dict[str, Any], at: datetime, counters: dict[str, int]) -> None:
    """The rollup increments the hub makes after each write: per day, hour and
    quarter-hour, at full detail and at survey level."""
    day = at.replace(hour=0, minute=0, second=0, microsecond=0)
    hour = at.replace(minute=0, second=0, microsecond=0)
    slot = at.replace(minute=at.minute - at.minute % 15, second=0, microsecond=0)
    survey_level = {
        name: (value if name in ("survey_key", "metric", "product") else None)
        for name, value in dimensions.items()
    }
    levels = ({**dimensions, "detail": "FULL"}, {**survey_level, "detail": "SURVEY"})
    for collection, key, time in (
        (db.rollups_daily, "day", day),
        (db.rollups_hourly, "hour", hour),
        (db.rollups_slots, "slot", slot),
    ):
        await collection.bulk_write(
            [UpdateOne({**level, key: time}, {"$inc": counters}, upsert=True) for level in levels],
            ordered=False,
        )


def dimensions_of(survey: dict[str, Any], context: dict[str, Any]) -> dict[str, Any]:
    return {
        "survey_key": survey["key"],
        "metric": survey["metric"],
        "product": context.get("product") or survey["product"],
        "country": context.get("country"),
        "channel": "IN_APP_WEB",
        "company": context.get("company"),
    }


async def display(request: Request) -> JSONResponse:
    body = json.loads(await request.body())
    user_id = body["user"]["id"]
    survey = await db.surveys.find_one({"key": body["surveyKey"]})
    assert survey is not None
    await db.contact_states.find({"user_id": user_id}).to_list()
    await db.people.find_one({"user_id": user_id})
    moment = now()
    document = {
        "survey_key": survey["key"],
        "user": body["user"],
        "channel": "IN_APP_WEB",
        "locale": "en",
        "context": body.get("context", {}),
        "shown_at": moment,
        "response_id": None,
        "answered_at": None,
        "declined_at": None,
    }

    async def work(session: AsyncClientSession) -> None:
        await db.displays.insert_one(document, session=session)
        await db.contact_states.update_one(
            {"user_id": user_id, "survey_key": survey["key"], "last_display_at": None},
            {"$set": {"last_display_at": moment}, "$inc": {"unanswered_displays": 1}},
            upsert=True,
            session=session,
        )
        await db.people.update_one(
            {"user_id": user_id},
            {"$setOnInsert": {"first_seen_at": moment, "login_count": 0}},
            upsert=True,
            session=session,
        )

    async with client.start_session() as session:
        await session.with_transaction(work)
    await rollup(dimensions_of(survey, document["context"]), moment, {"displays": 1})
    return JSONResponse({"displayId": str(document["_id"])})


async def score(request: Request) -> JSONResponse:
    body = json.loads(await request.body())
    shown = await db.displays.find_one({"_id": ObjectId(body["displayId"])})
    assert shown is not None
    survey = await db.surveys.find_one({"key": shown["survey_key"]})
    assert survey is not None
    moment = now()
    response = {
        "survey_key": survey["key"],
        "metric": survey["metric"],
        "display_id": shown["_id"],
        "score": int(body["score"]),
        "comment": None,
        "product": survey["product"],
        "customer": {"company": None, "country": None},
        "user": shown["user"],
        "channel": shown["channel"],
        "locale": shown["locale"],
        "answered_at": moment,
    }

    async def work(session: AsyncClientSession) -> None:
        await db.responses.insert_one(response, session=session)
        await db.displays.update_one(
            {"_id": shown["_id"]},
            {"$set": {"response_id": response["_id"], "answered_at": moment}},
            session=session,
        )
        await db.contact_states.update_one(
            {"user_id": shown["user"]["id"], "survey_key": survey["key"]},
            {"$set": {"last_answer_at": moment, "unanswered_displays": 0}},
            session=session,
        )

    async with client.start_session() as session:
        await session.with_transaction(work)
    score = response["score"]
    await rollup(
        dimensions_of(survey, shown["context"]),
        moment,
        {"responses": 1, "score_sum": score, f"scores.s{score}": 1},
    )
    return JSONResponse({"responseId": str(response["_id"])})


async def comment(request: Request) -> JSONResponse:
    body = json.loads(await request.body())
    response = await db.responses.find_one({"_id": ObjectId(body["responseId"])})
    assert response is not None
    moment = now()

    async def work(session: AsyncClientSession) -> None:
        await db.responses.update_one(
            {"_id": response["_id"], "comment": None},
            {"$set": {"comment": body["comment"], "commented_at": moment}},
            session=session,
        )
        rules = await db.routing_rules.find({}, session=session).to_list()
        defaults = await db.routing_defaults.find_one({}, session=session)
        channel = (defaults or {}).get("default_channel_id") or "C0"
        del rules  # read as the hub reads them; no rule is set in the benchmark
        follow_up = {"response_id": response["_id"], "status": "OPEN", "created_at": moment}
        await db.follow_ups.insert_one(follow_up, session=session)
        await db.outbox.insert_one(
            {
                "kind": "slack.post",
                "key": f"bare:{follow_up['_id']}",
                "channel": channel,
                "payload": {"follow_up_id": str(follow_up["_id"])},
                "status": "PENDING",
                "next_attempt_at": moment,
                "created_at": moment,
            },
            session=session,
        )

    async with client.start_session() as session:
        await session.with_transaction(work)
    survey = await db.surveys.find_one({"key": response["survey_key"]})
    assert survey is not None
    await rollup(dimensions_of(survey, {"country": None}), moment, {"comments": 1})
    return JSONResponse({"ok": True})


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    yield
    await client.close()


app = Starlette(
    routes=[
        Route("/bare/display", display, methods=["POST"]),
        Route("/bare/score", score, methods=["POST"]),
        Route("/bare/comment", comment, methods=["POST"]),
    ],
    lifespan=lifespan,
)
