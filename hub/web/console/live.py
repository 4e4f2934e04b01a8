"""/console/events: the console's live updates as server-sent events. It names what
changed (`event: responses` for new scores, comments and declines; `event:
follow-ups` for follow-up changes, to those who work them) and nothing else: the page
fetches itself again to show it, so after naming a change the stream waits a second
before naming the next (a burst of answers is one refresh a second, not one per
answer). Comments keep the connection alive. The stream ends
when the session ends (checked at each event and keep-alive, without restarting its
idle clock), when the browser goes away, and when the hub is asked to stop (so a stop
does not wait out the server's graceful timeout; the browser reconnects)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, AsyncIterator

from starlette.responses import Response, StreamingResponse

from hub.services import Services
from hub.services.access import roles as access
from hub.services.access.console import SignedIn
from hub.web.console.view import PAGE_HEADERS, ConsolePage, ConsoleView

KEEP_ALIVE_SECONDS = 15.0
# After naming what changed, the stream holds the next names this long: each one makes
# every open page fetch itself again, so under a stream of answers a tab refreshes
# about once a second, not once per answer.
PACE_SECONDS = 1.0
RETRY_MS = 5000
STREAM_HEADERS = {**PAGE_HEADERS, "X-Accel-Buffering": "no"}  # proxies: do not buffer


async def _pump(source: AsyncIterator[object], name: str, queue: asyncio.Queue[str]) -> None:
    async for _ in source:
        if not queue.full():
            queue.put_nowait(name)


def _drain(queue: asyncio.Queue[str], first: str) -> list[str]:
    """The names waiting now, each once, in order: a burst is one refresh."""
    names = [first]
    while not queue.empty():
        name = queue.get_nowait()
        if name not in names:
            names.append(name)
    return names


async def _next(queue: asyncio.Queue[str], stopping: asyncio.Event, within: float) -> list[str]:
    """What came within `within` seconds (none: a keep-alive is due), or nothing once
    the hub is stopping."""
    getting = asyncio.ensure_future(queue.get())
    ending = asyncio.ensure_future(stopping.wait())
    done, pending = await asyncio.wait(
        {getting, ending}, timeout=within, return_when=asyncio.FIRST_COMPLETED
    )
    for task in pending:
        task.cancel()
    return _drain(queue, getting.result()) if getting in done else []


async def _pause(stopping: asyncio.Event, seconds: float) -> None:
    """Hold the next names for `seconds`, or until the hub stops."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stopping.wait(), seconds)


async def stream(
    services: Services,
    me: SignedIn,
    keep_alive: float = KEEP_ALIVE_SECONDS,
    pace: float = PACE_SECONDS,
) -> AsyncGenerator[str, None]:
    """The event stream of one signed-in person, until their session ends; what
    changes during the `pace` after a refresh is named once, when it is over."""
    queue: asyncio.Queue[str] = asyncio.Queue(100)
    pumps = [asyncio.create_task(_pump(services.analytics.events.listen(), "responses", queue))]
    if me.principal.role in access.FOLLOW_UP_HANDLERS:
        changes = services.relay.changes.listen()
        pumps.append(asyncio.create_task(_pump(changes, "follow-ups", queue)))
    try:
        await asyncio.sleep(0)  # the pumps subscribe before the browser hears we listen
        yield f"retry: {RETRY_MS}\n: listening\n\n"
        while True:
            names = await _next(queue, services.stopping, keep_alive)
            if services.stopping.is_set():
                return  # the hub is stopping: the browser reconnects to its next start
            if not await services.console.still_signed_in(me.session_id):
                yield "event: signed-out\ndata: signed-out\n\n"
                return
            if not names:
                yield ": keep-alive\n\n"
                continue
            for name in names:
                yield f"event: {name}\ndata: {name}\n\n"
            await _pause(services.stopping, pace)
    finally:
        for pump in pumps:
            pump.cancel()
        for pump in pumps:
            with contextlib.suppress(asyncio.CancelledError):
                await pump


async def events(view: ConsoleView) -> Response:
    return StreamingResponse(
        stream(view.services, view.me),
        media_type="text/event-stream",
        headers=STREAM_HEADERS,
    )


PAGES = (ConsolePage("/events", events, access.READERS),)
