"""/console itself: the first section the signed-in person's role may open."""

from __future__ import annotations

from starlette.responses import Response

from hub.services.access import roles as access
from hub.web.console.nav import sections_for
from hub.web.console.view import ConsolePage, ConsoleView, redirect


async def home(view: ConsoleView) -> Response:
    sections = sections_for(view.role)
    return redirect(sections[0].path)


PAGES = (ConsolePage("", home, access.READERS),)
