"""`responseEvents` over a real websocket (uvicorn on 127.0.0.1) speaking the
graphql-transport-ws protocol."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
import uvicorn
from starlette.applications import Starlette
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from hub.clock import FrozenClock
from hub.db import free_port
from hub.errors import Conflict
from hub.models.common import Channel, Metric, Role
from hub.services import Services
from hub.settings import Settings
from tests.factories import context, make_survey, person
from tests.support.waiting import eventually

EVENTS = """
subscription Events($filter: AnalyticsFilter) {
  responseEvents(filter: $filter) {
    kind surveyKey metric country displayId
    response { score comment user { id email masked } }
  }
}
"""


@pytest.fixture
async def websocket_url(app: Starlette) -> AsyncIterator[str]:
    """The app served by uvicorn on a free loopback port (its lifespan already ran)."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off", log_level="warning")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    await eventually(lambda: server.started, within=5.0)
    yield f"ws://127.0.0.1:{port}/graphql"
    server.should_exit = True
    await task


@pytest.fixture
def hub(app: Starlette) -> Services:
    services: Services = app.state.services
    return services


async def open_subscription(
    url: str,
    hub: Services,
    payload: dict[str, Any] | None,
    variables: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> ClientConnection:
    socket = await connect(
        url, subprotocols=[Subprotocol("graphql-transport-ws")], additional_headers=headers
    )
    init: dict[str, Any] = {"type": "connection_init"}
    if payload is not None:
        init["payload"] = payload
    await socket.send(json.dumps(init))
    assert json.loads(await socket.recv())["type"] == "connection_ack"
    listening = hub.analytics.events.subscriber_count
    await socket.send(
        json.dumps(
            {
                "id": "1",
                "type": "subscribe",
                "payload": {"query": EVENTS, "variables": variables or {}},
            }
        )
    )
    # Subscribed once the bus has one more listener.
    await eventually(lambda: hub.analytics.events.subscriber_count > listening, within=5.0)
    return socket


async def receive(socket: ClientConnection) -> dict[str, Any]:
    async with asyncio.timeout(5):
        message: dict[str, Any] = json.loads(await socket.recv())
    return message


async def test_viewer_sees_scores_comments_and_declines_masked(
    websocket_url: str, hub: Services, tokens: dict[Role, str]
) -> None:
    await make_survey(hub)
    socket = await open_subscription(
        websocket_url, hub, {"authorization": f"Bearer {tokens[Role.VIEWER]}"}
    )

    shown = await hub.responses.record_display(
        "nps-main", person(1), Channel.IN_APP_WEB, context(), "en"
    )
    response = await hub.responses.submit_score(str(shown.id), 3)
    await hub.responses.submit_comment(str(response.id), "Too slow")
    declined = await hub.responses.record_display(
        "nps-main", person(2), Channel.IN_APP_WEB, context(country="SE"), "en"
    )
    await hub.responses.decline(str(declined.id))
    received = [await receive(socket) for _ in range(3)]
    await socket.close()

    assert [m["type"] for m in received] == ["next", "next", "next"]
    events = [m["payload"]["data"]["responseEvents"] for m in received]
    assert [e["kind"] for e in events] == ["SCORE", "COMMENT", "DECLINE"]
    assert events[0]["response"] == {
        "score": 3,
        "comment": None,
        "user": {"id": None, "email": None, "masked": True},
    }
    assert events[1]["response"]["comment"] == "Too slow"
    assert events[2]["response"] is None
    assert events[2]["displayId"] == str(declined.id)
    assert events[2]["country"] == "SE"


async def test_a_comment_quoting_people_reaches_a_viewer_masked(
    websocket_url: str, hub: Services, tokens: dict[Role, str]
) -> None:
    await make_survey(hub)
    shown = await hub.responses.record_display(
        "nps-main", person(1), Channel.IN_APP_WEB, context(), "en"
    )
    await hub.responses.submit_score(str(shown.id), 9)
    viewer = await open_subscription(
        websocket_url, hub, {"authorization": f"Bearer {tokens[Role.VIEWER]}"}
    )
    officer = await open_subscription(
        websocket_url, hub, {"authorization": f"Bearer {tokens[Role.PRIVACY_OFFICER]}"}
    )

    shown = await hub.responses.record_display(
        "nps-main", person(2), Channel.IN_APP_WEB, context(), "en"
    )
    response = await hub.responses.submit_score(str(shown.id), 3)
    comment = "Like user-1 (person1@example.org) said; I am Person2, +47 22 33 44 55"
    await hub.responses.submit_comment(str(response.id), comment)
    seen = [[await receive(socket) for _ in range(2)] for socket in (viewer, officer)]
    for socket in (viewer, officer):
        await socket.close()

    [masked, plain] = [
        received[1]["payload"]["data"]["responseEvents"]["response"]["comment"] for received in seen
    ]
    assert masked == "Like [user] ([email]) said; I am [user], [phone]"
    assert plain == comment


async def test_privacy_officer_sees_the_person_and_the_filter_applies(
    websocket_url: str, hub: Services, tokens: dict[Role, str]
) -> None:
    await make_survey(hub)
    await make_survey(hub, key="csat-help", metric=Metric.CSAT)
    # The token in the upgrade request's header works as well as in connection_init.
    socket = await open_subscription(
        websocket_url,
        hub,
        None,
        {"filter": {"surveyKeys": ["csat-help"]}},
        headers={"Authorization": f"Bearer {tokens[Role.PRIVACY_OFFICER]}"},
    )

    for survey_key, number, score in (("nps-main", 1, 10), ("csat-help", 2, 5)):
        shown = await hub.responses.record_display(
            survey_key, person(number), Channel.IN_APP_WEB, context(), "en"
        )
        await hub.responses.submit_score(str(shown.id), score)
    event = (await receive(socket))["payload"]["data"]["responseEvents"]
    await socket.close()

    assert event["surveyKey"] == "csat-help" and event["metric"] == "CSAT"
    assert event["response"]["user"] == {
        "id": "user-2",
        "email": "person2@example.org",
        "masked": False,
    }


async def test_a_write_taken_by_another_hub_process_reaches_the_subscriber(
    websocket_url: str,
    hub: Services,
    tokens: dict[Role, str],
    settings: Settings,
    clock: FrozenClock,
) -> None:
    # Another hub process: its own services, event bus and relay; the same database.
    other = Services.build(settings, clock)
    await make_survey(hub)
    socket = await open_subscription(
        websocket_url, hub, {"authorization": f"Bearer {tokens[Role.VIEWER]}"}
    )

    shown = await other.responses.record_display(
        "nps-main", person(1), Channel.IN_APP_WEB, context(), "en"
    )
    response = await other.responses.submit_score(str(shown.id), 8)
    await other.responses.submit_comment(str(response.id), "Fine")
    received = [(await receive(socket))["payload"]["data"]["responseEvents"] for _ in range(2)]
    await socket.close()

    assert [(e["kind"], e["response"]["score"]) for e in received] == [
        ("SCORE", 8),
        ("COMMENT", 8),
    ]
    assert received[1]["response"]["comment"] == "Fine"
    assert other.analytics.events.subscriber_count == 0


async def test_a_write_that_fails_announces_nothing(
    websocket_url: str, hub: Services, tokens: dict[Role, str]
) -> None:
    await make_survey(hub)
    socket = await open_subscription(
        websocket_url, hub, {"authorization": f"Bearer {tokens[Role.VIEWER]}"}
    )
    shown = await hub.responses.record_display(
        "nps-main", person(1), Channel.IN_APP_WEB, context(), "en"
    )
    await hub.responses.submit_score(str(shown.id), 9)
    first = await receive(socket)

    with pytest.raises(Conflict):
        await hub.responses.submit_score(str(shown.id), 9)  # already answered
    with pytest.raises(asyncio.TimeoutError):
        async with asyncio.timeout(0.5):
            await socket.recv()
    await socket.close()

    assert first["payload"]["data"]["responseEvents"]["kind"] == "SCORE"


async def test_a_bad_token_in_connection_init_is_rejected(
    websocket_url: str,
) -> None:
    socket = await connect(websocket_url, subprotocols=[Subprotocol("graphql-transport-ws")])
    await socket.send(
        json.dumps({"type": "connection_init", "payload": {"authorization": "Bearer nope"}})
    )

    with pytest.raises(ConnectionClosed) as closed:
        await receive(socket)

    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403


@pytest.mark.parametrize("role", [None, Role.WIDGET])
async def test_subscribing_needs_a_reading_role(
    websocket_url: str, tokens: dict[Role, str], role: Role | None
) -> None:
    socket = await connect(websocket_url, subprotocols=[Subprotocol("graphql-transport-ws")])
    payload = {"authorization": f"Bearer {tokens[role]}"} if role else {}
    await socket.send(json.dumps({"type": "connection_init", "payload": payload}))
    assert json.loads(await socket.recv())["type"] == "connection_ack"
    await socket.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": EVENTS}}))

    message = await receive(socket)
    await socket.close()

    assert message["type"] in ("error", "next")
    errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
    assert errors[0]["extensions"]["code"] == ("FORBIDDEN" if role else "UNAUTHENTICATED")
