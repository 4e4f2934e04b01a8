"""Live updates: /console/events over a real HTTP server names what changed (new
answers, follow-up changes for those who work them) and nothing personal, and ends
with the session or when the browser goes away. Events are counted, never timed."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from starlette.applications import Starlette

from hub.clock import FrozenClock
from hub.models.common import Role
from hub.models.followup import Actor
from hub.services import Services
from hub.web.console import live
from hub.web.console.view import SESSION_COOKIE
from tests.support.console import ConsoleClient
from tests.support.console_board import sign_in_with_slack_as
from tests.support.serving import serving
from tests.support.slack import FakeSlack
from tests.support.waiting import eventually
from tests.support.widget import Widget, follow_up_of


@pytest.fixture
def widget(services: Services) -> Widget:
    return Widget(services)


@pytest.fixture
async def hub_address(console_app: Starlette) -> AsyncIterator[str]:
    async with serving(console_app) as address:
        yield address


class Stream:
    """One browser's event stream: its events' names, as they come."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self.lines = response.aiter_lines()

    async def next_event(self) -> str:
        """The next event's name, past comments and keep-alives."""
        name = ""
        async for line in self.lines:
            if line.startswith("event: "):
                name = line.removeprefix("event: ")
            elif line.startswith("data: "):
                assert line.removeprefix("data: ") == name  # nothing but the name
            elif line == "" and name:
                return name
        raise AssertionError("the stream ended")

    async def ended(self) -> bool:
        async for _ in self.lines:
            pass
        return True


async def _open(address: str, console: ConsoleClient) -> AsyncIterator[Stream]:
    token = console.http.cookies.get(SESSION_COOKIE)
    async with (
        httpx.AsyncClient(base_url=f"http://{address}") as browser,
        browser.stream(
            "GET", "/console/events", headers={"Cookie": f"{SESSION_COOKIE}={token}"}
        ) as response,
    ):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        assert response.headers["cache-control"] == "no-store"
        assert "content-encoding" not in response.headers  # not held back by a compressor
        stream = Stream(response)
        assert await anext(stream.lines) == f"retry: {live.RETRY_MS}"
        yield stream


async def test_an_agent_hears_of_new_answers_and_claims(
    console: ConsoleClient,
    services: Services,
    widget: Widget,
    slack: FakeSlack,
    hub_address: str,
) -> None:
    await sign_in_with_slack_as(console, services, slack, "U0ANA", "Ana Agent")
    async for stream in _open(hub_address, console):
        # A new comment: its answer, and the follow-up it opened
        response = await widget.answer(2, "person9@example.org cannot export")
        heard = {await stream.next_event()}
        while heard != {"responses", "follow-ups"}:
            heard.add(await stream.next_event())

        # A claim from the console: the board's event (after what is left of the
        # answer's: its score and comment may come as one event or two)
        follow_up = await follow_up_of(response)
        await console.open(f"/console/follow-ups/{follow_up.id}")
        await console.post(f"/console/follow-ups/{follow_up.id}/claim")
        while (name := await stream.next_event()) != "follow-ups":
            assert name == "responses"

        # A reply in the Slack thread, kept as a note: the follow-up's page shows it
        await services.notes.record_thread_reply(
            await follow_up_of(response),
            "CROUTED",
            "1700000000.000100",
            Actor(id="slack:U0BOB", name="Bob"),
            "Called them",
        )
        assert await stream.next_event() == "follow-ups"
        break


async def test_a_viewer_hears_of_answers_only(
    console: ConsoleClient,
    services: Services,
    widget: Widget,
    slack: FakeSlack,
    hub_address: str,
) -> None:
    follow_up = await follow_up_of(await widget.answer(1, "Slow"))
    await sign_in_with_slack_as(console, services, slack, "U0VERA", "Vera", Role.VIEWER)
    async for stream in _open(hub_address, console):
        await services.follow_ups.claim(str(follow_up.id), Actor(id="slack:U0BOB", name="Bob"))
        await widget.answer(9, comment=None)
        assert await stream.next_event() == "responses"  # the claim was not for her
        break


async def test_the_stream_ends_when_the_session_ends(
    console: ConsoleClient,
    services: Services,
    widget: Widget,
    slack: FakeSlack,
    hub_address: str,
) -> None:
    await sign_in_with_slack_as(console, services, slack, "U0ANA", "Ana Agent")
    async for stream in _open(hub_address, console):
        await console.open("/console/responses")
        await console.sign_out()
        await widget.answer(7, comment=None)
        assert await stream.next_event() == "signed-out"
        assert await stream.ended()
        break
    assert services.analytics.events.subscriber_count == 0


async def test_the_stream_stops_listening_when_the_browser_goes_away(
    console: ConsoleClient, services: Services, slack: FakeSlack, hub_address: str
) -> None:
    await sign_in_with_slack_as(console, services, slack, "U0ANA", "Ana Agent")
    async for _ in _open(hub_address, console):
        assert services.analytics.events.subscriber_count == 1
        assert services.relay.changes.subscriber_count == 1
        break
    await eventually(
        lambda: (
            services.analytics.events.subscriber_count == 0
            and services.relay.changes.subscriber_count == 0
        )
    )


async def test_keep_alives_and_an_idle_session_ending_the_stream(
    console: ConsoleClient, services: Services, slack: FakeSlack, clock: FrozenClock
) -> None:
    await sign_in_with_slack_as(console, services, slack, "U0ANA", "Ana Agent")
    me = await services.console.resume(console.http.cookies.get(SESSION_COOKIE))
    assert me is not None
    stream = live.stream(services, me, keep_alive=0.01)
    assert (await anext(stream)).startswith("retry:")
    assert await anext(stream) == ": keep-alive\n\n"
    assert await anext(stream) == ": keep-alive\n\n"
    # The keep-alives did not keep the session alive: idle too long, it ends
    clock.advance(timedelta(minutes=services.settings.console_idle_minutes + 1))
    assert await anext(stream) == "event: signed-out\ndata: signed-out\n\n"
    with pytest.raises(StopAsyncIteration):
        await anext(stream)


async def test_signed_out_browsers_get_no_stream(console: ConsoleClient) -> None:
    answer = await console.get("/console/events")
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/console/sign-in")


async def test_the_pages_use_only_the_hubs_files_and_no_inline_code(
    console: ConsoleClient, services: Services, widget: Widget, slack: FakeSlack
) -> None:
    follow_up = await follow_up_of(await widget.answer(3, "Crashes"))
    await sign_in_with_slack_as(console, services, slack, "U0ANA", "Ana Agent")
    for path in (
        "/console/responses",
        "/console/follow-ups",
        f"/console/follow-ups/{follow_up.id}",
    ):
        page = await console.open(path)
        assert "<script>" not in page and 'style="' not in page and " on" + "click" not in page
        assert "data-live-message=" in page
        for name in ("board.css", "console.js"):
            address = page.split(f"/console/static/{name}?v=")[1].split('"')[0]
            asset = await console.get(f"/console/static/{name}?v={address}")
            assert asset.status_code == 200
    script = (await console.get("/console/static/console.js")).text
    assert "/console/events" in script and "aria-live" in script


async def test_after_a_refresh_the_next_waits_out_the_pace(
    console: ConsoleClient,
    services: Services,
    slack: FakeSlack,
    widget: Widget,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each named change makes every open page fetch itself again: after one, the
    stream holds the next for its pace, and what came meanwhile is named once."""
    paused: list[float] = []
    heard: list[object] = []

    async def hear() -> None:
        async for event in services.analytics.events.listen():
            heard.append(event)

    async def pause(stopping: asyncio.Event, seconds: float) -> None:
        paused.append(seconds)
        if len(paused) == 1:  # answers while the stream holds back
            await widget.answer(8, comment=None)
            await widget.answer(6, comment=None)
            await eventually(lambda: len(heard) == 3)  # relayed to every listener
            for _ in range(3):
                await asyncio.sleep(0)  # and passed on to the stream's own queue

    monkeypatch.setattr(live, "_pause", pause)
    await sign_in_with_slack_as(console, services, slack, "U0VERA", "Vera", Role.VIEWER)
    me = await services.console.resume(console.http.cookies.get(SESSION_COOKIE))
    assert me is not None
    listening = asyncio.create_task(hear())
    stream = live.stream(services, me, keep_alive=0.01, pace=30.0)
    try:
        assert (await anext(stream)).startswith("retry:")
        await widget.answer(9, comment=None)
        assert await anext(stream) == "event: responses\ndata: responses\n\n"
        assert paused == []
        # The two answers of the pause: one refresh, once it is over
        assert await anext(stream) == "event: responses\ndata: responses\n\n"
        assert paused == [30.0]
        assert await anext(stream) == ": keep-alive\n\n"  # after the refresh's own pause
        assert await anext(stream) == ": keep-alive\n\n"  # a keep-alive is not paced
        assert paused == [30.0, 30.0]
    finally:
        listening.cancel()
        await stream.aclose()
