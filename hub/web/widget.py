"""`/widget.js`: the banner's script, with the interface strings and the ids of its
GraphQL documents (hub/web/persisted.py) built in."""

from __future__ import annotations

import hashlib
import json
from functools import cache
from importlib.resources import files

from starlette.requests import Request
from starlette.responses import Response

from hub import i18n
from hub.web.persisted import WIDGET_IDS

STRINGS_PLACEHOLDER = "__FEEDBACK_HUB_STRINGS__"
OPERATIONS_PLACEHOLDER = "__FEEDBACK_HUB_OPERATIONS__"


def _script_json(value: object) -> str:
    encoded = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    # Safe inside a script: JSON cannot close the script or start a comment here.
    return encoded.replace("</", "<\\/")


@cache
def widget_script() -> str:
    source = files("hub").joinpath("static/widget.js").read_text(encoding="utf-8")
    strings = {
        language: {key: texts[key] for key in i18n.WIDGET_KEYS}
        for language, texts in i18n.STRINGS.items()
    }
    return source.replace(STRINGS_PLACEHOLDER, _script_json(strings)).replace(
        OPERATIONS_PLACEHOLDER, _script_json(dict(WIDGET_IDS))
    )


def _unchanged(if_none_match: str | None, etag: str) -> bool:
    """If-None-Match, compared weakly (RFC 9110, 13.1.2), as it must be: so an ETag
    cached strong, as the hub sent it before it gzipped the script, still matches."""
    if if_none_match is None:
        return False
    if if_none_match.strip() == "*":
        return True
    wanted = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == wanted for tag in if_none_match.split(","))


async def widget_js(request: Request) -> Response:
    script = widget_script()
    # Weak: the script is sent gzipped or plain (hub/server/app.py), the same script
    # in other bytes, under one ETag.
    etag = 'W/"' + hashlib.sha256(script.encode()).hexdigest()[:16] + '"'
    headers = {
        "Cache-Control": "public, max-age=300",
        "ETag": etag,
        "X-Content-Type-Options": "nosniff",
        "Cross-Origin-Resource-Policy": "cross-origin",
    }
    if _unchanged(request.headers.get("if-none-match"), etag):
        # The gzip middleware leaves an empty body alone: say here what the 200 varies on.
        return Response(status_code=304, headers={**headers, "Vary": "Accept-Encoding"})
    return Response(script, media_type="text/javascript; charset=utf-8", headers=headers)
