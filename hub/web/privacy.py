"""The public rights-request form, the e-mail verification of a request, and the
downloads of privacy exports through single-use, expiring signed links (by the
officer, or by the person the export is about).

The pages speak the language asked for with `?lang=` (kept by the form when it is
sent), else the browser's (Accept-Language), else English
(hub/i18n_rights_pages.py)."""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route

from hub.errors import DomainError, ErrorCode
from hub.i18n import DEFAULT_LANGUAGE
from hub.i18n_rights_pages import asked_language, error_text, page_strings
from hub.models.privacy import RightsRequestType
from hub.rendering import render
from hub.services import Services
from hub.services.privacy.exports import PrivacyExports
from hub.services.privacy.rights import NewRequest
from hub.web.pages import PAGE_HEADERS, _form

DOWNLOAD_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}


def _refused(error: DomainError, as_page: bool, language: str) -> Response:
    status = 410 if error.code in (ErrorCode.LINK_EXPIRED, ErrorCode.EXPORT_GONE) else 404
    if as_page:
        return _html(
            "export_download.html",
            language,
            status,
            title_key="download_title",
            confirm=False,
            body=error_text(language, error),
        )
    return JSONResponse(
        {"error": error.code.value, "message": error.message},
        status_code=status,
        headers=DOWNLOAD_HEADERS,
    )


def _asked(request: Request, fields: dict[str, str] | None = None) -> str | None:
    chosen = (fields or {}).get("lang") or request.query_params.get("lang")
    return asked_language(chosen, request.headers.get("accept-language"))


def _language(request: Request, fields: dict[str, str] | None = None) -> str:
    return _asked(request, fields) or DEFAULT_LANGUAGE


async def download_export(request: Request) -> Response:
    """An export link, single-use. An officer's link delivers on GET. A link sent to
    the person the export is about shows a page to confirm on GET (so a mail scanner
    following links consumes nothing) and delivers on POST."""
    services: Services = request.app.state.services
    token = request.path_params["token"]
    language = _language(request)
    await services.privacy.exports.purge_expired()
    try:
        claim = services.privacy.exports.claim(token)
    except DomainError as error:
        return _refused(error, request.method == "POST", language)
    if claim.for_subject and request.method == "GET":
        return _html(
            "export_download.html", language, title_key="download_title", confirm=True, body=""
        )
    try:
        delivery = await services.privacy.deliver_export(token)
    except DomainError as error:
        return _refused(error, claim.for_subject, language)
    name = f"{delivery.kind.value.lower()}-{claim.request_id}"
    if claim.format == "csv" and delivery.kind is RightsRequestType.PORTABILITY:
        return Response(
            PrivacyExports.portability_csv(delivery.data),
            media_type="text/csv; charset=utf-8",
            headers={
                **DOWNLOAD_HEADERS,
                "Content-Disposition": f'attachment; filename="{name}.csv"',
            },
        )
    return Response(
        json.dumps(delivery.data, indent=2, ensure_ascii=False),
        media_type="application/json",
        headers={**DOWNLOAD_HEADERS, "Content-Disposition": f'attachment; filename="{name}.json"'},
    )


FORM_TYPES = [
    RightsRequestType.ACCESS,
    RightsRequestType.PORTABILITY,
    RightsRequestType.RECTIFICATION,
    RightsRequestType.ERASURE,
    RightsRequestType.RESTRICTION,
    RightsRequestType.OBJECTION,
]


def _html(
    template: str, language: str, status: int = 200, title_key: str = "title", **values: object
) -> HTMLResponse:
    texts = page_strings(language)
    page = render(template, lang=language, t=texts, title=texts[title_key], **values)
    return HTMLResponse(page, status_code=status, headers=PAGE_HEADERS)


def _request_form(
    asked: str | None,
    status: int = 200,
    error: str | None = None,
    values: dict[str, str] | None = None,
) -> HTMLResponse:
    """The form in the language asked for (else English), which it keeps when sent,
    with what was typed (`values`, the posted fields) shown again."""
    language = asked or DEFAULT_LANGUAGE
    texts = page_strings(language)
    typed = values or {}
    return _html(
        "rights_request.html",
        language,
        status,
        done=False,
        error=error,
        asked=asked,
        types=[(kind.value, texts[f"type_{kind.value}"]) for kind in FORM_TYPES],
        chosen=typed.get("type", RightsRequestType.ACCESS.value),
        email=typed.get("email", ""),
        user_id=typed.get("user_id", ""),
        message=typed.get("message", ""),
    )


async def rights_request_form(request: Request) -> Response:
    """GET shows the form; POST files the request and e-mails the link to verify it.
    A rectification says in the message what to correct; the officer files the
    corrections (fileRightsRequest) once agreed."""
    if request.method == "GET":
        return _request_form(_asked(request))
    services: Services = request.app.state.services
    try:
        fields = await _form(request, free_text={"message"})
    except DomainError as error:  # the form is shown empty again: its values were not text
        asked = _asked(request)
        return _request_form(asked, 400, error_text(asked or DEFAULT_LANGUAGE, error))
    asked = _asked(request, fields)
    language = asked or DEFAULT_LANGUAGE
    kind = fields.get("type", "")
    if kind not in {choice.value for choice in FORM_TYPES}:
        return _request_form(asked, 400, page_strings(language)["error_type"], fields)
    try:
        await services.rights_verification.submit(
            NewRequest(
                type=RightsRequestType(kind),
                email=fields.get("email"),
                user_id=fields.get("user_id") or None,
                message=fields.get("message") or None,
                locale=asked,  # None: the default language
            )
        )
    except DomainError as error:
        return _request_form(asked, 400, error_text(language, error), fields)
    return _html("rights_request.html", language, done=True, body=page_strings(language)["sent"])


async def verify_rights_request(request: Request) -> Response:
    """GET asks to confirm (so a mail scanner following links verifies nothing);
    POST verifies."""
    language = _language(request)
    if request.method == "GET":
        return _html("rights_verify.html", language, confirm=True, body="", announce=False)
    services: Services = request.app.state.services
    try:
        await services.rights_verification.verify(
            request.path_params["request_id"], request.path_params["token"]
        )
    except DomainError as error:
        code = 403 if error.code is ErrorCode.VERIFICATION_LOCKED else 400
        return _html(
            "rights_verify.html",
            language,
            code,
            confirm=False,
            body=error_text(language, error),
            announce=False,
        )
    return _html(
        "rights_verify.html",
        language,
        confirm=False,
        announce=True,
        body=page_strings(language)["confirmed"],
    )


def routes() -> list[BaseRoute]:
    return [
        Route("/exports/{token}", download_export, methods=["GET", "POST"]),
        Route("/privacy/request", rights_request_form, methods=["GET", "POST"]),
        Route(
            "/privacy/verify/{request_id}/{token}",
            verify_rights_request,
            methods=["GET", "POST"],
        ),
    ]
