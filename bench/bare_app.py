"""The baseline of bench/submit.py: bare Starlette endpoints doing the widget flow's
work without GraphQL, API keys or middleware.

Each endpoint calls the same service the GraphQL mutation calls (`ResponseService`),
so it makes the same reads, the same writes in the same transactions, and answers
from the same caches (the survey, the routing rules); it runs in a process set up by
the hub's own start-up (the database opened, the outbox dispatcher, the scheduler
and the live-events relay running, and whatever background work the hub adds), so
it follows every change to what a widget call writes. What is left out is what the
hub adds on top: HTTP routing through GraphQL (parsing, validation, the schema's
types), the API key, the request limits and telemetry.

Configured like the hub, by HUB_* variables (bench/submit.py sets them).
"""

from __future__ import annotations

import json

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from hub.models.activity import DisplayContext
from hub.models.common import Channel, UserIdentity
from hub.server.app import create_app
from hub.services import Services
from hub.settings import Settings

hub = create_app(Settings())
services: Services = hub.state.services


async def display(request: Request) -> JSONResponse:
    body = json.loads(await request.body())
    shown = await services.responses.record_display(
        body["surveyKey"],
        UserIdentity(**body["user"]),
        Channel.IN_APP_WEB,
        DisplayContext(**body.get("context", {})),
        None,
    )
    return JSONResponse({"displayId": str(shown.id)})


async def score(request: Request) -> JSONResponse:
    body = json.loads(await request.body())
    response = await services.responses.submit_score(body["displayId"], int(body["score"]))
    return JSONResponse({"responseId": str(response.id)})


async def comment(request: Request) -> JSONResponse:
    body = json.loads(await request.body())
    await services.responses.submit_comment(body["responseId"], body["comment"])
    return JSONResponse({"ok": True})


async def up(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


app = Starlette(
    routes=[
        Route("/bare/display", display, methods=["POST"]),
        Route("/bare/score", score, methods=["POST"]),
        Route("/bare/comment", comment, methods=["POST"]),
        Route("/bare/up", up),
    ],
    # The hub's own start-up and shutdown, so the process does what a hub's does.
    lifespan=hub.router.lifespan_context,
)
