"""The console's own styles and script (hub/static/console/), served by the hub with
their content's hash in the address, so browsers may keep them."""

from __future__ import annotations

import hashlib
from functools import cache
from importlib.resources import files

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}
ASSET_HEADERS = {
    "Cache-Control": "public, max-age=31536000, immutable",
    "X-Content-Type-Options": "nosniff",
    "Cross-Origin-Resource-Policy": "same-origin",
}


@cache
def _files() -> dict[str, bytes]:
    folder = files("hub").joinpath("static/console")
    return {
        entry.name: entry.read_bytes()
        for entry in folder.iterdir()
        if any(entry.name.endswith(suffix) for suffix in _TYPES)
    }


@cache
def url(name: str) -> str:
    """The address of a console file, versioned by its content."""
    digest = hashlib.sha256(_files()[name]).hexdigest()[:12]
    return f"/console/static/{name}?v={digest}"


async def serve(request: Request) -> Response:
    name = request.path_params["name"]
    content = _files().get(name)
    if content is None:
        return PlainTextResponse("Not Found", status_code=404)
    media_type = next(kind for suffix, kind in _TYPES.items() if name.endswith(suffix))
    return Response(content, media_type=media_type, headers=ASSET_HEADERS)


def routes() -> list[BaseRoute]:
    return [Route("/console/static/{name}", serve, methods=["GET"])]
