"""Themes in tests: rules to define them with, and a listener that records, in the
database and in the tagger's transaction, each call it gets, so only calls whose
transaction committed are counted."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.collection import AsyncCollection

from hub.models.response import Response
from hub.models.theme import ThemeRule
from hub.services.themes.catalog import ThemeDraft

BILLING = ThemeDraft(
    name="Billing",
    description="Invoices and payments.",
    rules=[
        ThemeRule(language="en", terms=["invoice", "billing"], exclusions=[]),
        ThemeRule(language="es", terms=["factura"], exclusions=[]),
    ],
)
SPEED = ThemeDraft(
    name="Speed",
    rules=[ThemeRule(language="en", terms=["slow", "fast"], exclusions=["not slow"])],
)


def calls() -> AsyncCollection[dict[str, Any]]:
    """Where `RecordingListener` writes, beside the responses."""
    collection: AsyncCollection[dict[str, Any]] = Response.get_pymongo_collection().database[
        "test_theme_tag_calls"
    ]
    return collection


class RecordingListener:
    """A `ThemeTagListener` that writes each call through the tagger's session."""

    async def tags_changed(
        self,
        response: Mapping[str, Any],
        before: Sequence[str],
        after: Sequence[str],
        session: AsyncClientSession,
    ) -> None:
        await calls().insert_one(
            {"response": response["_id"], "before": list(before), "after": list(after)},
            session=session,
        )


async def recorded() -> list[dict[str, Any]]:
    """Every committed call, in the order written."""
    return [call async for call in calls().find({}, {"_id": 0}).sort("_id", 1)]


class Stalling:
    """A listener that stalls its transaction from its `after`+1-th call on, as a
    process stopped mid-batch would (the test then cancels it)."""

    def __init__(self, after: int) -> None:
        self.after = after
        self.calls = 0
        self.stalled = asyncio.Event()

    async def tags_changed(
        self,
        response: Mapping[str, Any],
        before: Sequence[str],
        after: Sequence[str],
        session: AsyncClientSession,
    ) -> None:
        self.calls += 1
        if self.calls > self.after:
            self.stalled.set()
            await asyncio.Event().wait()
