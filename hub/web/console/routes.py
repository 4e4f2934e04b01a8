"""The console's routes: sign-in, its static files, and every page, each behind the
session check, the role check and (for posts) the CSRF check."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from hub.errors import ValidationFailed
from hub.services.access import roles as access
from hub.services.access.console import SignedIn
from hub.web.console import (
    assets,
    dashboard,
    follow_ups,
    home,
    live,
    members,
    privacy_queue,
    privacy_records,
    privacy_request,
    responses,
    signin,
    surveys,
)
from hub.web.console.api import ApiFailed, ApiRefused, Execute
from hub.web.console.view import (
    SESSION_COOKIE,
    ConsolePage,
    ConsoleView,
    PageError,
    bad_input,
    csrf_valid,
    error_page,
    read_form,
    redirect,
    same_origin,
    services_of,
)

log = logging.getLogger(__name__)

# Every page of the console, in navigation order. Each part adds its pages here.
PAGES: tuple[ConsolePage, ...] = (
    *home.PAGES,
    *dashboard.PAGES,
    *responses.PAGES,
    *follow_ups.PAGES,
    *surveys.PAGES,
    *members.PAGES,
    *privacy_queue.PAGES,
    *privacy_request.PAGES,
    *privacy_records.PAGES,
    *live.PAGES,
)


def _guard(page: ConsolePage, execute: Execute) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        services = services_of(request)
        me: SignedIn | None = await services.console.resume(request.cookies.get(SESSION_COOKIE))
        if me is None:
            if request.method == "GET":
                return redirect("/console/sign-in", next=request.url.path, expired="1")
            return error_page(request, PageError(401, "error_title", "session_expired"), None)
        try:
            if me.principal.role not in page.roles:
                raise PageError(403, "forbidden_title", "forbidden_body")
            form: dict[str, str] | None = None
            if request.method == "POST":
                form = await read_form(request, page.free_text)
                if not (same_origin(request) and csrf_valid(me, form)):
                    raise PageError(403, "bad_request_title", "csrf_body")
            return await page.handler(ConsoleView(request, me, execute, form))
        except PageError as error:
            return error_page(request, error, me)
        except ValidationFailed as error:
            return error_page(request, bad_input(error), me)
        except ApiRefused:
            return error_page(request, PageError(403, "forbidden_title", "forbidden_body"), me)
        except ApiFailed as failed:
            log.warning("console page %s: API answered %s", page.path, failed)
            return error_page(request, PageError(503, "unavailable_title", "unavailable_body"), me)

    return endpoint


async def _nowhere(view: ConsoleView) -> Response:
    raise PageError(404, "not_found_title", "not_found_body")


# Last: any other address under /console, for anyone signed in.
NOT_FOUND = ConsolePage("/{rest:path}", _nowhere, access.READERS, ("GET", "POST"))


def routes(execute: Execute) -> list[BaseRoute]:
    found: list[BaseRoute] = [*signin.routes(), *assets.routes()]
    for page in (*PAGES, NOT_FOUND):
        found.append(
            Route(f"/console{page.path}", _guard(page, execute), methods=list(page.methods))
        )
    return found
