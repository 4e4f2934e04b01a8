"""The `/graphql` endpoint: authenticates the caller and builds the context."""

from cross_web import AsyncHTTPRequestAdapter, HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLRequestData
from strawberry.schema import BaseSchema
from strawberry.types import ExecutionResult
from strawberry.types.unset import UNSET, UnsetType

from graphql_schema.context import Context
from graphql_schema.limits import TransportWS
from graphql_schema.persisted import with_persisted_text
from graphql_schema.telemetry import record_refusal
from hub.services import Services
from hub.web.graphiql import graphiql_page


def bearer_token(request: Request | WebSocket) -> str | None:
    return _bearer(request.headers.get("authorization", ""))


def _bearer(header: str) -> str | None:
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


class HubGraphQL(GraphQL[Context, None]):
    graphql_transport_ws_handler_class = TransportWS

    def __init__(self, schema: BaseSchema, services: Services) -> None:
        # GraphiQL can do nothing without reading the schema: with introspection off
        # it is not served (GET /graphql in a browser answers 404).
        graphiql = services.settings.introspection != "off"
        super().__init__(schema, graphql_ide="graphiql" if graphiql else None)
        self.services = services

    async def render_graphql_ide(self, request: Request) -> Response:
        """The hub's own GraphiQL page (hub/web/graphiql.py), with the security
        headers of every page, rather than strawberry's, which loads from a CDN."""
        return graphiql_page()

    def decode_json(self, data: str | bytes) -> object:
        try:
            return super().decode_json(data)
        except UnicodeDecodeError:
            raise HTTPException(400, "The request body is not valid UTF-8.") from None

    async def execute_single(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Response,
        context: Context,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        """A document named by its persisted id runs with the registered text; an id the
        hub does not know is answered with one GraphQL error, and nothing runs."""
        resolved = with_persisted_text(request_data)
        if not isinstance(resolved, GraphQLRequestData):
            record_refusal(request_data.operation_name, resolved)
            return ExecutionResult(data=None, errors=[resolved])
        return await super().execute_single(
            request, request_adapter, sub_response, context, root_value, resolved
        )

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        return Context(
            request=request,
            response=response,
            services=self.services,
            token=bearer_token(request),
        )

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        """Browsers cannot set headers on a websocket: a subscription client sends its
        token in the connection_init payload (`{"authorization": "Bearer …"}`). A token
        given and not valid closes the connection (4403)."""
        params = context.connection_params or {}
        header = params.get("authorization") or params.get("Authorization")
        if header is not None:
            context.token = _bearer(str(header))
            if context.token is None or await context.authenticate() is None:
                raise ConnectionRejectionError()
        acknowledged: UnsetType = UNSET  # a bare connection_ack
        return acknowledged
