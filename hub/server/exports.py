"""`GET /exports/responses.csv`: a streamed CSV of responses.

Authorised by a bearer token (viewer and above) with the filter as query parameters,
or by a signed link from the `exportResponses` mutation.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from hub.errors import DomainError
from hub.services import Services
from hub.services.access import roles as access
from hub.services.analytics.exports import parse_filter


def _bearer(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _error(status: int, code: str, message: str, field: str | None = None) -> JSONResponse:
    body: dict[str, str] = {"code": code, "message": message}
    if field:
        body["field"] = field
    return JSONResponse({"error": body}, status_code=status)


async def export_responses(request: Request) -> Response:
    services: Services = request.app.state.services
    params = {name: request.query_params.getlist(name) for name in request.query_params}
    if "signature" in params:
        role = services.exports.verify(params)
        if role is None:
            return _error(403, "FORBIDDEN", "The link is not valid or has expired.")
    else:
        token = _bearer(request)
        principal = await services.keys.authenticate(token) if token else None
        if principal is None:
            return _error(401, "UNAUTHENTICATED", "A valid API key is required.")
        role = principal.role
    if role not in access.READERS:
        return _error(403, "FORBIDDEN", "Your role may not do this.")
    try:
        criteria = parse_filter(params)
        criteria.to_query()
    except DomainError as error:
        return _error(400, error.code.value, error.message, error.field)
    return StreamingResponse(
        services.exports.csv_chunks(criteria, role),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="responses.csv"'},
    )
