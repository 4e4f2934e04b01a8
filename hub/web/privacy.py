"""The public rights-request form, the e-mail verification of a request, and the
downloads of privacy exports through single-use, expiring signed links (by the
officer, or by the person the export is about)."""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route

from hub import i18n
from hub.errors import DomainError, ErrorCode
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


def _refused(error: DomainError, as_page: bool) -> Response:
    status = 410 if error.code in (ErrorCode.LINK_EXPIRED, ErrorCode.EXPORT_GONE) else 404
    if as_page:
        return _html(
            "export_download.html", status, title=DOWNLOAD_TITLE, confirm=False, body=error.message
        )
    return JSONResponse(
        {"error": error.code.value, "message": error.message},
        status_code=status,
        headers=DOWNLOAD_HEADERS,
    )


async def download_export(request: Request) -> Response:
    """An export link, single-use. An officer's link delivers on GET. A link sent to
    the person the export is about shows a page to confirm on GET (so a mail scanner
    following links consumes nothing) and delivers on POST."""
    services: Services = request.app.state.services
    token = request.path_params["token"]
    await services.privacy.exports.purge_expired()
    try:
        claim = services.privacy.exports.claim(token)
    except DomainError as error:
        return _refused(error, as_page=request.method == "POST")
    if claim.for_subject and request.method == "GET":
        return _html("export_download.html", title=DOWNLOAD_TITLE, confirm=True, body="")
    try:
        delivery = await services.privacy.deliver_export(token)
    except DomainError as error:
        return _refused(error, as_page=claim.for_subject)
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
    (RightsRequestType.ACCESS.value, "A copy of the data held about me"),
    (RightsRequestType.PORTABILITY.value, "My answers, to take elsewhere"),
    (RightsRequestType.RECTIFICATION.value, "Correct my data (say what in the message)"),
    (RightsRequestType.ERASURE.value, "Erase my data"),
    (RightsRequestType.RESTRICTION.value, "Restrict the processing of my data"),
    (RightsRequestType.OBJECTION.value, "Object: never survey me again"),
]
TITLE = "Your data-protection rights"
DOWNLOAD_TITLE = "Your data"


def _html(template: str, status: int = 200, **values: object) -> HTMLResponse:
    return HTMLResponse(
        render(template, lang="en", **values), status_code=status, headers=PAGE_HEADERS
    )


def _request_form(status: int = 200, error: str | None = None, **values: str) -> HTMLResponse:
    return _html(
        "rights_request.html",
        status,
        title=TITLE,
        done=False,
        error=error,
        types=FORM_TYPES,
        chosen=values.get("type", RightsRequestType.ACCESS.value),
        email=values.get("email", ""),
        user_id=values.get("user_id", ""),
        message=values.get("message", ""),
    )


async def rights_request_form(request: Request) -> Response:
    """GET shows the form; POST files the request and e-mails the link to verify it.
    A rectification says in the message what to correct; the officer files the
    corrections (fileRightsRequest) once agreed."""
    if request.method == "GET":
        return _request_form()
    services: Services = request.app.state.services
    try:
        fields = await _form(request, free_text={"message"})
    except DomainError as error:  # the form is shown empty again: its values were not text
        return _request_form(400, error.message)
    kind = fields.get("type", "")
    if kind not in {value for value, _ in FORM_TYPES}:
        return _request_form(400, "Choose what you want.", **fields)
    try:
        await services.rights_verification.submit(
            NewRequest(
                type=RightsRequestType(kind),
                email=fields.get("email"),
                user_id=fields.get("user_id") or None,
                message=fields.get("message") or None,
                locale=i18n.best_locale(
                    i18n.STRINGS, i18n.accepted_languages(request.headers.get("accept-language"))
                ),
            )
        )
    except DomainError as error:
        return _request_form(400, error.message, **fields)
    return _html(
        "rights_request.html",
        title=TITLE,
        done=True,
        body="Thank you. We have sent you an e-mail: open the link in it to confirm "
        "your request. We answer within one month.",
    )


async def verify_rights_request(request: Request) -> Response:
    """GET asks to confirm (so a mail scanner following links verifies nothing);
    POST verifies."""
    if request.method == "GET":
        return _html("rights_verify.html", title=TITLE, confirm=True, body="", announce=False)
    services: Services = request.app.state.services
    try:
        await services.rights_verification.verify(
            request.path_params["request_id"], request.path_params["token"]
        )
    except DomainError as error:
        code = 403 if error.code is ErrorCode.VERIFICATION_LOCKED else 400
        return _html(
            "rights_verify.html",
            code,
            title=TITLE,
            confirm=False,
            body=error.message,
            announce=False,
        )
    return _html(
        "rights_verify.html",
        title=TITLE,
        confirm=False,
        announce=True,
        body="Your request is confirmed. We answer within one month.",
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
