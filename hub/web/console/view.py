"""What every console page shares: the session cookie, the CSRF check, the language,
the API run as the signed-in person, rendering with the console's headers, and the
error pages (an expired session, a role without access, a CSRF-less post, bad input).

A page is a function `async (view: ConsoleView) -> Response`, declared with
`ConsolePage(path, handler, roles)`; `hub/web/console/routes.py` wraps it."""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from hub.errors import ValidationFailed
from hub.models.common import Role
from hub.rendering import render
from hub.services import Services
from hub.services.access.console import SignedIn
from hub.services.platform import validation
from hub.web.console import assets, strings
from hub.web.console.api import Execute, checked
from hub.web.console.nav import sections_for

SESSION_COOKIE = "fh_console"
MAX_FORM_BYTES = 65_536
# No inline script or style anywhere in the console: everything it runs or shows
# comes from the hub itself. Images may be data: URIs (none are today).
CONSOLE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": CONSOLE_CSP,
}


class PageError(Exception):
    """Stops a page with an error page: `status`, a title and a body (string keys)."""

    def __init__(self, status: int, title: str, body: str, detail: str | None = None) -> None:
        super().__init__(title)
        self.status = status
        self.title = title
        self.body = body
        self.detail = detail  # a text the API gave (no personal data), shown under the body


def bad_input(error: ValidationFailed) -> PageError:
    return PageError(400, "bad_request_title", "", detail=error.message)


def services_of(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def secure_request(request: Request) -> bool:
    """Cookies are Secure when the console is reached over HTTPS (directly, or behind a
    proxy uvicorn trusts: FORWARDED_ALLOW_IPS), or the hub's public address is HTTPS."""
    public = services_of(request).settings.public_url or ""
    return request.url.scheme == "https" or public.startswith("https://")


def language_of(request: Request) -> str:
    return strings.language_for(request.headers.get("accept-language"))


def page_response(
    request: Request,
    template: str,
    status: int = 200,
    signed_in: SignedIn | None = None,
    **values: Any,
) -> HTMLResponse:
    language = language_of(request)
    text = strings.text(language)
    body = render(
        template,
        lang=language,
        t=text,
        me=signed_in,
        csrf=signed_in.csrf_token if signed_in else "",
        sections=sections_for(signed_in.principal.role) if signed_in else [],
        path=request.url.path,
        asset=assets.url,
        **values,
    )
    return HTMLResponse(body, status_code=status, headers=PAGE_HEADERS)


def error_page(request: Request, error: PageError, signed_in: SignedIn | None) -> HTMLResponse:
    return page_response(
        request,
        "console/error.html",
        status=error.status,
        signed_in=signed_in,
        title_key=error.title,
        body_key=error.body,
        detail=error.detail,
    )


def redirect(path: str, **query: str) -> RedirectResponse:
    """303 to another console page; `query` holds only ids and notice keys."""
    target = f"{path}?{urlencode(query)}" if query else path
    return RedirectResponse(target, status_code=303, headers=PAGE_HEADERS)


async def read_form(request: Request, free_text: Collection[str] = ()) -> dict[str, str]:
    """A posted form's fields (first value of each), checked as every edge checks text."""
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        raise PageError(400, "bad_request_title", "csrf_body")
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise PageError(413, "bad_request_title", "")
    fields = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
    found = {name: values[0] for name, values in fields.items()}
    try:
        for name, value in found.items():
            validation.well_formed_text(value, name, free_text=name in free_text)
    except ValidationFailed as error:
        raise bad_input(error) from None
    return found


@dataclass
class ConsoleView:
    """One request to a console page by a signed-in person."""

    request: Request
    me: SignedIn
    execute: Execute
    # The posted form, once read (routes.py reads it to check its CSRF token).
    posted: dict[str, str] | None = None

    @property
    def role(self) -> Role:
        return self.me.principal.role

    @property
    def services(self) -> Services:
        return services_of(self.request)

    @property
    def language(self) -> str:
        return language_of(self.request)

    @property
    def text(self) -> Mapping[str, str]:
        return strings.text(self.language)

    async def query(self, document: str, **variables: Any) -> dict[str, Any]:
        """Run a GraphQL query or mutation as the signed-in person: its data, or the
        error page (refused: 403; failed: 503) raised as ApiRefused/ApiFailed."""
        answer = await self.execute(self.request, document, variables, self.me.principal)
        return checked(answer)

    async def form(self, free_text: Collection[str] = ()) -> dict[str, str]:
        """The posted form, after its CSRF token was checked (routes.py checks it before
        the page runs, so this only reads)."""
        if self.posted is None:
            self.posted = await read_form(self.request, free_text)
        return self.posted

    def render(self, template: str, status: int = 200, **values: Any) -> HTMLResponse:
        return page_response(self.request, template, status, self.me, **values)


def same_origin(request: Request) -> bool:
    """A post must come from the console's own pages (the browser says where from);
    requests without an Origin header (older browsers, tests) rely on the token."""
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return origin is None
    return origin == f"{request.url.scheme}://{request.url.netloc}"


def csrf_valid(me: SignedIn, form: Mapping[str, str]) -> bool:
    return hmac.compare_digest(form.get("csrf", ""), me.csrf_token)


Handler = Callable[[ConsoleView], Awaitable[Response]]


@dataclass(frozen=True)
class ConsolePage:
    """A console page: its path under /console, the function that answers it, the
    roles that see it in the navigation and may open it, and the methods it takes.
    The API enforces the finer rules (masking, who may claim what) itself."""

    path: str
    handler: Handler
    roles: frozenset[Role]
    methods: tuple[str, ...] = ("GET",)
    # Fields of a POST that may hold line breaks and tabs (notes, survey texts).
    free_text: frozenset[str] = frozenset()
