"""GraphiQL, served whole by the hub: the page, its start script and the vendored
GraphiQL and React files (hub/static/graphiql/, see scripts/vendor_graphiql.py).
Nothing comes from a CDN, so it works without internet and under a CSP that allows
the hub's own files only."""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable

from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

# The same headers as every other page, with a CSP that allows exactly what GraphiQL
# loads: scripts and styles from the hub, its inline data: icons and fonts, and calls
# to /graphql (websockets included, same origin). No framing, no inline script.
GRAPHIQL_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
    "form-action 'none'; frame-ancestors 'none'; base-uri 'none'",
}
# Versioned by the vendoring script (the page is not cached, the files may be).
ASSET_HEADERS = {
    "Cache-Control": "public, max-age=86400",
    "X-Content-Type-Options": "nosniff",
    "Cross-Origin-Resource-Policy": "same-origin",
}

_JS = "text/javascript; charset=utf-8"
_CSS = "text/css; charset=utf-8"
# Served name: (file under hub/static/graphiql/, media type).
ASSETS = {
    "react.production.min.js": ("vendor/react.production.min.js", _JS),
    "react-dom.production.min.js": ("vendor/react-dom.production.min.js", _JS),
    "graphiql.min.js": ("vendor/graphiql.min.js", _JS),
    "graphiql.min.css": ("vendor/graphiql.min.css", _CSS),
    "plugin-explorer.umd.js": ("vendor/plugin-explorer.umd.js", _JS),
    "plugin-explorer.css": ("vendor/plugin-explorer.css", _CSS),
    "start.js": ("start.js", _JS),
    "page.css": ("page.css", _CSS),
}


def _folder() -> Traversable:
    return files("hub").joinpath("static/graphiql")


@cache
def _page() -> str:
    return _folder().joinpath("index.html").read_text(encoding="utf-8")


@cache
def _asset(name: str) -> bytes:
    return _folder().joinpath(ASSETS[name][0]).read_bytes()


def graphiql_page() -> HTMLResponse:
    return HTMLResponse(_page(), headers=GRAPHIQL_HEADERS)


async def graphiql_asset(request: Request) -> Response:
    name = request.path_params["name"]
    if name not in ASSETS:
        return PlainTextResponse("Not Found", status_code=404, headers=ASSET_HEADERS)
    return Response(_asset(name), media_type=ASSETS[name][1], headers=ASSET_HEADERS)


def routes() -> list[BaseRoute]:
    return [Route("/graphiql/{name}", graphiql_asset, methods=["GET"])]
