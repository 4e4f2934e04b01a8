import strawberry

from graphql_schema.platform.paging import CountedConnection
from graphql_schema.widget.types import Response


@strawberry.type(description="A page of responses, newest first (Relay connection).")
class ResponseConnection(CountedConnection[Response]):
    pass
