"""The relay of live events: every hub process hears of every write."""

from __future__ import annotations

import asyncio
import io

import pytest
from pymongo.errors import OperationFailure

from hub.models.common import Channel
from hub.models.event import EventKind, LiveEvent
from hub.models.followup import FollowUp
from hub.services import Services
from hub.services.widget.events import EventBus, EventRelay, ResponseEvent
from tests.factories import context, make_survey, person


async def test_an_event_that_cannot_be_read_is_skipped_and_the_next_arrives(
    services: Services, captured: io.StringIO
) -> None:
    async def load(live: LiveEvent) -> ResponseEvent | None:
        if live.kind is EventKind.DECLINE:
            raise ValueError("unreadable")
        return await services.analytics.event_of(live)

    bus = EventBus()
    relay = EventRelay(bus, load)
    following = asyncio.create_task(relay.run_forever())
    received: list[ResponseEvent] = []
    arrived = asyncio.Event()

    async def listen() -> None:
        async for event in bus.listen():
            received.append(event)
            arrived.set()

    listening = asyncio.create_task(listen())
    try:
        await asyncio.wait_for(relay.following.wait(), 5)
        await make_survey(services)
        declined = await services.responses.record_display(
            "nps-main", person(1), Channel.IN_APP_WEB, context(), "en"
        )
        await services.responses.decline(str(declined.id))
        shown = await services.responses.record_display(
            "nps-main", person(2), Channel.IN_APP_WEB, context(), "en"
        )
        await services.responses.submit_score(str(shown.id), 7)
        await asyncio.wait_for(arrived.wait(), 5)
        await asyncio.sleep(0.2)  # nothing else comes
    finally:
        listening.cancel()
        following.cancel()

    assert [
        (event.kind, event.response.score if event.response else None) for event in received
    ] == [(EventKind.SCORE, 7)]
    assert "live event skipped" in captured.getvalue()
    assert "person2" not in captured.getvalue()


async def test_live_events_name_records_never_people(services: Services) -> None:
    await make_survey(services)
    shown = await services.responses.record_display(
        "nps-main", person(1), Channel.IN_APP_WEB, context(), "en"
    )
    response = await services.responses.submit_score(str(shown.id), 9)
    await services.responses.submit_comment(str(response.id), "Great, call me on 555-0100")

    stored = await LiveEvent.get_pymongo_collection().find({}, {"_id": 0}).to_list()

    # The comment's follow-up is announced by the comment's own event (the relay tells
    # the console's boards), so a comment costs one live event
    assert await FollowUp.find_one(FollowUp.response_id == response.id) is not None
    assert sorted((doc["kind"], doc["record_id"]) for doc in stored) == [
        ("COMMENT", response.id),
        ("SCORE", response.id),
    ]
    assert not any("user-1" in str(doc) or "555" in str(doc) for doc in stored)


async def test_a_server_that_cannot_stream_changes_is_reported_and_retried(
    services: Services, captured: io.StringIO, monkeypatch: pytest.MonkeyPatch
) -> None:
    relay = EventRelay(EventBus(), services.analytics.event_of, retry_seconds=0.001)
    follow = EventRelay._follow
    refusals = [OperationFailure("not a replica set", code=40573)]

    async def refused_once(self: EventRelay) -> None:
        if refusals:
            raise refusals.pop()
        await follow(self)

    monkeypatch.setattr(EventRelay, "_follow", refused_once)
    following = asyncio.create_task(relay.run_forever())
    try:
        await asyncio.wait_for(relay.following.wait(), 5)
    finally:
        following.cancel()

    assert "live events cannot be followed (40573)" in captured.getvalue()
