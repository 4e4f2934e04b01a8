"""The `/graphql` endpoint: authenticates the caller and builds the context."""

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.schema import BaseSchema
from strawberry.types.unset import UNSET, UnsetType

from graphql_schema.context import Context
from hub.services import Services
from hub.services.keys import Principal


def bearer_token(request: Request | WebSocket) -> str | None:
    return _bearer(request.headers.get("authorization", ""))


def _bearer(header: str) -> str | None:
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


class HubGraphQL(GraphQL[Context, None]):
    def __init__(self, schema: BaseSchema, services: Services) -> None:
        super().__init__(schema, graphql_ide="graphiql")
        self.services = services

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        token = bearer_token(request)
        principal: Principal | None = None
        if token is not None:
            principal = await self.services.keys.authenticate(token)
        return Context(
            request=request, response=response, services=self.services, principal=principal
        )

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        """Browsers cannot set headers on a websocket: a subscription client sends its
        token in the connection_init payload (`{"authorization": "Bearer …"}`). A token
        given and not valid closes the connection (4403)."""
        params = context.connection_params or {}
        header = params.get("authorization") or params.get("Authorization")
        if header is not None:
            token = _bearer(str(header))
            principal = await self.services.keys.authenticate(token) if token else None
            if principal is None:
                raise ConnectionRejectionError()
            context.principal = principal
        acknowledged: UnsetType = UNSET  # a bare connection_ack
        return acknowledged
