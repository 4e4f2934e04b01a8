import strawberry

from graphql_schema.context import Context
from graphql_schema.errors import query_error
from graphql_schema.permissions import IsReader
from graphql_schema.responses.types import (
    PageInfo,
    Response,
    ResponseConnection,
    ResponseEdge,
    ResponseFilter,
)
from hub.errors import DomainError
from hub.models.common import Role
from hub.services.widget.responses import ResponseFilter as ResponseFilterModel
from hub.services.widget.responses import encode_cursor


def _sees_withheld(context: Context) -> bool:
    """Only privacy officers read what people taken out of processing sent."""
    principal = context.principal
    return principal is not None and principal.role is Role.PRIVACY_OFFICER


@strawberry.type
class ResponseQuery:
    @strawberry.field(
        permission_classes=[IsReader],
        description="Responses, newest first. What people taken out of processing "
        "(restricted, objected) sent is left out for every role but privacy officers.",
    )
    async def responses(
        self,
        info: strawberry.Info[Context],
        filter: ResponseFilter | None = None,
        first: int = 20,
        after: str | None = None,
    ) -> ResponseConnection:
        criteria = filter.to_model() if filter else ResponseFilterModel()
        try:
            page = await info.context.services.responses.page(
                criteria, first, after, withheld=_sees_withheld(info.context)
            )
        except DomainError as error:
            raise query_error(error) from None
        edges = [
            ResponseEdge(cursor=encode_cursor(found), node=Response.from_document(found))
            for found in page.responses
        ]
        return ResponseConnection(
            edges=edges,
            page_info=PageInfo(
                has_next_page=page.has_next_page,
                end_cursor=edges[-1].cursor if edges else None,
            ),
            total_count=page.total_count,
        )
