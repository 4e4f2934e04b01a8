"""`/widget.js`: the banner's script, with the interface strings built in."""

from __future__ import annotations

import hashlib
import json
from functools import cache
from importlib.resources import files

from starlette.requests import Request
from starlette.responses import Response

from hub import i18n

PLACEHOLDER = "__FEEDBACK_HUB_STRINGS__"


@cache
def widget_script() -> str:
    source = files("hub").joinpath("static/widget.js").read_text(encoding="utf-8")
    strings = {
        language: {key: texts[key] for key in i18n.WIDGET_KEYS}
        for language, texts in i18n.STRINGS.items()
    }
    encoded = json.dumps(strings, ensure_ascii=False, separators=(",", ":"))
    # Safe inside a script: JSON cannot close the script or start a comment here.
    return source.replace(PLACEHOLDER, encoded.replace("</", "<\\/"))


async def widget_js(request: Request) -> Response:
    script = widget_script()
    etag = '"' + hashlib.sha256(script.encode()).hexdigest()[:16] + '"'
    headers = {
        "Cache-Control": "public, max-age=300",
        "ETag": etag,
        "X-Content-Type-Options": "nosniff",
        "Cross-Origin-Resource-Policy": "cross-origin",
    }
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(script, media_type="text/javascript; charset=utf-8", headers=headers)
