"""Signing in and out: with Slack where the Slack app's client id and secret are set,
otherwise with a personal API key; and the session cookie."""

from __future__ import annotations

import hmac
import secrets

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from hub.web.console.slack_sign_in import Attempt, SignInRefused, SlackSignIn, start
from hub.web.console.view import (
    SESSION_COOKIE,
    PageError,
    csrf_valid,
    error_page,
    page_response,
    read_form,
    redirect,
    same_origin,
    secure_request,
    services_of,
)

# The sign-in form's own CSRF token (there is no session yet), and the Slack attempt.
FORM_COOKIE = "fh_console_form"
ATTEMPT_COOKIE = "fh_console_slack"
SIGN_IN_PATH = "/console/sign-in"


def _next_path(value: str | None) -> str:
    """Where to go after signing in: a console path, never another site."""
    if value and value.startswith("/console") and "//" not in value and "\\" not in value:
        return value
    return "/console"


def _set_cookie(
    request: Request, response: Response, name: str, value: str, path: str = "/console"
) -> None:
    response.set_cookie(
        name,
        value,
        path=path,
        httponly=True,
        secure=secure_request(request),
        samesite="lax",
    )


def _signed_in(request: Request, response: Response, token: str) -> Response:
    _set_cookie(request, response, SESSION_COOKIE, token)
    return response


def _sign_in_page(
    request: Request, status: int = 200, problem: str | None = None, next_path: str = "/console"
) -> Response:
    settings = services_of(request).settings
    form_token = request.cookies.get(FORM_COOKIE) or secrets.token_urlsafe(24)
    notice = None
    if request.query_params.get("expired"):
        notice = "session_expired"
    elif request.query_params.get("signed_out"):
        notice = "signed_out"
    response = page_response(
        request,
        "console/sign_in.html",
        status=status,
        slack=settings.slack_sign_in,
        form_token=form_token,
        notice=notice,
        problem=problem,
        next_path=next_path,
    )
    _set_cookie(request, response, FORM_COOKIE, form_token, SIGN_IN_PATH)
    return response


async def sign_in(request: Request) -> Response:
    services = services_of(request)
    if request.method == "GET":
        if await services.console.resume(request.cookies.get(SESSION_COOKIE)) is not None:
            return redirect(_next_path(request.query_params.get("next")))
        return _sign_in_page(request, next_path=_next_path(request.query_params.get("next")))
    if services.settings.slack_sign_in:
        return redirect(SIGN_IN_PATH)  # Slack is how people sign in here
    try:
        form = await read_form(request)
    except PageError as error:
        return error_page(request, error, None)
    expected = request.cookies.get(FORM_COOKIE, "")
    valid = expected and hmac.compare_digest(form.get("csrf", ""), expected)
    if not (valid and same_origin(request)):
        return error_page(request, PageError(403, "bad_request_title", "csrf_body"), None)
    token = await services.console.start_with_key(form.get("key", ""))
    next_path = _next_path(form.get("next"))
    if token is None:
        return _sign_in_page(request, 401, "key_refused", next_path)
    return _signed_in(request, redirect(next_path), token)


async def slack_start(request: Request) -> Response:
    settings = services_of(request).settings
    if not settings.slack_sign_in:
        return error_page(request, PageError(404, "not_found_title", "not_found_body"), None)
    address, attempt = start(settings, _next_path(request.query_params.get("next")))
    response = redirect(address)
    _set_cookie(request, response, ATTEMPT_COOKIE, attempt.encode(), SIGN_IN_PATH)
    return response


async def slack_callback(request: Request) -> Response:
    services = services_of(request)
    if not services.settings.slack_sign_in:
        return error_page(request, PageError(404, "not_found_title", "not_found_body"), None)
    attempt = Attempt.decode(request.cookies.get(ATTEMPT_COOKIE))
    state = request.query_params.get("state", "")
    code = request.query_params.get("code", "")
    try:
        if attempt is None or not code or not hmac.compare_digest(state, attempt.state):
            raise SignInRefused("slack_refused")
        person = await SlackSignIn(services.settings, services.console).finish(code, attempt)
    except SignInRefused as refused:
        response = _sign_in_page(request, 403, refused.reason)
        response.delete_cookie(ATTEMPT_COOKIE, path=SIGN_IN_PATH)
        return response
    token = await services.console.start_with_slack(person.user_id, person.name, person.role)
    response = _signed_in(request, redirect(attempt.next_path), token)
    response.delete_cookie(ATTEMPT_COOKIE, path=SIGN_IN_PATH)
    return response


async def sign_out(request: Request) -> Response:
    services = services_of(request)
    token = request.cookies.get(SESSION_COOKIE)
    me = await services.console.resume(token)
    if me is not None:
        try:
            form = await read_form(request)
        except PageError as error:
            return error_page(request, error, me)
        if not (csrf_valid(me, form) and same_origin(request)):
            return error_page(request, PageError(403, "bad_request_title", "csrf_body"), me)
        await services.console.end(token)
    response = redirect(SIGN_IN_PATH, signed_out="1")
    response.delete_cookie(SESSION_COOKIE, path="/console")
    return response


def routes() -> list[BaseRoute]:
    return [
        Route(SIGN_IN_PATH, sign_in, methods=["GET", "POST"]),
        Route("/console/sign-in/slack", slack_start, methods=["GET"]),
        Route("/console/sign-in/slack/callback", slack_callback, methods=["GET"]),
        Route("/console/sign-out", sign_out, methods=["POST"]),
    ]
