"""The console's access to the API: GraphQL operations run by the schema itself, as
the signed-in person, with the same context, permissions, masking and audit as a call
to /graphql (hub/web cannot import the schema; this wiring hands it over)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.requests import Request
from strawberry import Schema

from graphql_schema.context import Context
from hub.services import Services
from hub.services.access.keys import Principal
from hub.web.console.api import Answer, ApiError, Execute


def api_for(schema: Schema, services: Services) -> Execute:
    async def execute(
        request: Request,
        document: str,
        variables: Mapping[str, Any],
        principal: Principal,
    ) -> Answer:
        context = Context(
            request=request, response=None, services=services, token=None, signed_in=principal
        )
        result = await schema.execute(
            document, variable_values=dict(variables), context_value=context
        )
        errors = [
            ApiError(
                message=error.message,
                code=str((error.extensions or {}).get("code", "INTERNAL_SERVER_ERROR")),
            )
            for error in result.errors or []
        ]
        return Answer(data=result.data, errors=errors)

    return execute
