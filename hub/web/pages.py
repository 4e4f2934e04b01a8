"""Survey-link and opt-out pages. Plain HTML forms, no JavaScript: every step is a
POST that redirects back to the link, so reloading never records twice."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from hub import i18n
from hub.errors import DomainError, ErrorCode
from hub.models.survey import Survey
from hub.rendering import render
from hub.services import Services
from hub.services.channels.links import LinkState
from hub.services.platform import validation

MAX_FORM_BYTES = 32_768

# The token is in the URL: keep it out of Referer headers and caches, and allow
# nothing but the page's own styles and forms.
PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
}

_UNAVAILABLE = {ErrorCode.NOT_ELIGIBLE, ErrorCode.SURVEY_INACTIVE, ErrorCode.CHANNEL_NOT_ENABLED}


def _services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def _wanted(request: Request) -> list[str]:
    return i18n.accepted_languages(request.headers.get("accept-language"))


def _page(template: str, status: int = 200, **values: Any) -> HTMLResponse:
    return HTMLResponse(render(template, **values), status_code=status, headers=PAGE_HEADERS)


def _message(
    request: Request, title_key: str, body_key: str, status: int, locale: str | None = None
) -> HTMLResponse:
    """A page that only says something, in `locale` (the link's, when the token
    resolved) or else the language the browser prefers."""
    locale = locale or next(iter(_wanted(request)), None)
    strings = i18n.strings(locale)
    return _page(
        "message.html",
        status,
        lang=i18n.language_of(locale),
        title=strings[title_key],
        body=strings[body_key],
    )


def _failure(
    request: Request, error: DomainError, locale: str | None = None
) -> HTMLResponse | None:
    """The page for a failure the person should be told about; None for the rest,
    which simply show the link's current state again."""
    if error.code is ErrorCode.LINK_EXPIRED:
        return _message(request, "expired_title", "expired_body", 410, locale)
    if error.code in (ErrorCode.LINK_INVALID, ErrorCode.NOT_FOUND):
        return _message(request, "invalid_title", "invalid_body", 404, locale)
    if error.code in _UNAVAILABLE:
        return _message(request, "unavailable_title", "unavailable", 409, locale)
    return None


def _page_locale(request: Request, survey: Survey, link_locale: str | None) -> str | None:
    """The link's locale, else the best the browser accepts, else the survey default."""
    if link_locale:
        return link_locale
    return i18n.best_locale((text.locale for text in survey.texts), _wanted(request))


def _back(request: Request) -> RedirectResponse:
    token = request.path_params["token"]
    return RedirectResponse(f"/s/{token}", status_code=303, headers=PAGE_HEADERS)


async def _form(request: Request, free_text: Collection[str] = ()) -> dict[str, str]:
    """A posted form's fields, each checked as every edge checks text: control
    characters refused, but tabs and line breaks in the `free_text` fields
    (`ValidationFailed` names the first field at fault)."""
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        return {}
    fields = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
    found = {name: values[0] for name, values in fields.items()}
    for name, value in found.items():
        validation.well_formed_text(value, name, free_text=name in free_text)
    return found


async def show_survey(request: Request) -> Response:
    services = _services(request)
    token = request.path_params["token"]
    locale: str | None = None
    try:
        opened = await services.links.open(token)
        locale = _page_locale(request, opened.survey, opened.link.locale)
        if opened.state is LinkState.OPEN:
            await services.links.ensure_display(opened.link, locale)
    except DomainError as error:
        failure = _failure(request, error, locale)
        return failure or _message(request, "unavailable_title", "unavailable", 409, locale)
    survey = opened.survey
    text = survey.text_for(opened.response.locale if opened.response else locale)
    strings = i18n.strings(text.locale)
    low, high = survey.metric.scale
    return _page(
        "survey.html",
        lang=text.locale,
        title=text.question,
        state=opened.state.value,
        base=f"/s/{token}",
        question=text.question,
        follow_up=text.follow_up,
        thank_you=text.thank_you,
        strings=strings,
        scores=list(range(low, high + 1)),
        low_label=strings[f"{survey.metric.value}_low"],
        high_label=strings[f"{survey.metric.value}_high"],
        error=None,
    )


async def _score(request: Request, raw: str) -> Response:
    try:
        score = int(raw)
    except ValueError:
        return _back(request)
    services = _services(request)
    token = request.path_params["token"]
    locale: str | None = None
    try:
        opened = await services.links.open(token)
        locale = _page_locale(request, opened.survey, opened.link.locale)
        await services.links.submit_score(token, score, locale)
    except DomainError as error:
        failure = _failure(request, error, locale)
        if failure is not None:
            return failure
    return _back(request)


async def score_from_email(request: Request) -> Response:
    """The one-click score links of e-mails: record the score, land on the follow-up."""
    return await _score(request, str(request.path_params["score"]))


async def score_from_form(request: Request) -> Response:
    try:
        fields = await _form(request)
    except DomainError:  # as an unreadable score: the page is shown again
        return _back(request)
    return await _score(request, fields.get("score", ""))


async def comment(request: Request) -> Response:
    try:
        text = (await _form(request, free_text={"comment"})).get("comment", "")
        await _services(request).links.submit_comment(request.path_params["token"], text)
    except DomainError as error:
        failure = _failure(request, error)
        if failure is not None:
            return failure
    return _back(request)


async def skip(request: Request) -> Response:
    try:
        await _services(request).links.skip_comment(request.path_params["token"])
    except DomainError as error:
        failure = _failure(request, error)
        if failure is not None:
            return failure
    return _back(request)


async def decline(request: Request) -> Response:
    services = _services(request)
    token = request.path_params["token"]
    locale: str | None = None
    try:
        opened = await services.links.open(token)
        locale = _page_locale(request, opened.survey, opened.link.locale)
        await services.links.decline(token, locale)
    except DomainError as error:
        failure = _failure(request, error, locale)
        if failure is not None:
            return failure
    return _back(request)


async def opt_out(request: Request) -> Response:
    """GET asks to confirm (so a mail scanner following links objects for no one);
    POST records the objection."""
    services = _services(request)
    token = request.path_params["token"]
    try:
        found = await services.links.opt_out_request(token)
        if request.method == "POST":
            found = await services.links.opt_out(token)
    except DomainError as error:
        failure = _failure(request, error)
        return failure or _message(request, "invalid_title", "invalid_body", 404)
    survey = await services.surveys.find(found.survey_key)
    locale = found.locale or next(iter(_wanted(request)), None)
    if survey is not None:
        locale = survey.text_for(_page_locale(request, survey, found.locale)).locale
    strings = i18n.strings(locale)
    return _page(
        "opt_out.html",
        lang=i18n.language_of(locale),
        title=strings["opt_out_title"],
        strings=strings,
        done=found.done,
    )


def routes() -> list[BaseRoute]:
    return [
        Route("/s/{token}", show_survey, methods=["GET"]),
        Route("/s/{token}/score/{score}", score_from_email, methods=["GET"]),
        Route("/s/{token}/score", score_from_form, methods=["POST"]),
        Route("/s/{token}/comment", comment, methods=["POST"]),
        Route("/s/{token}/skip", skip, methods=["POST"]),
        Route("/s/{token}/decline", decline, methods=["POST"]),
        Route("/o/{token}", opt_out, methods=["GET", "POST"]),
    ]
