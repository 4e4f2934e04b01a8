import strawberry

from graphql_schema.paging import edges_of
from graphql_schema.privacy.types import AuditEntry, RightsRequest
from graphql_schema.responses.types import PageInfo
from hub.models import privacy as model
from hub.services.platform.paging import Page


@strawberry.type
class RightsRequestEdge:
    cursor: str
    node: RightsRequest


@strawberry.type(description="A page of rights requests, soonest due first (Relay connection).")
class RightsRequestConnection:
    edges: list[RightsRequestEdge]
    page_info: PageInfo
    total_count: int

    @classmethod
    def from_page(cls, page: Page[model.RightsRequest]) -> "RightsRequestConnection":
        edges, info = edges_of(
            page,
            lambda cursor, item: RightsRequestEdge(
                cursor=cursor, node=RightsRequest.from_document(item)
            ),
        )
        return cls(edges=edges, page_info=info, total_count=page.total_count)


@strawberry.type
class AuditEntryEdge:
    cursor: str
    node: AuditEntry


@strawberry.type(description="A page of the audit log, newest first (Relay connection).")
class AuditEntryConnection:
    edges: list[AuditEntryEdge]
    page_info: PageInfo
    total_count: int

    @classmethod
    def from_page(cls, page: Page[model.AuditEntry]) -> "AuditEntryConnection":
        edges, info = edges_of(
            page,
            lambda cursor, item: AuditEntryEdge(cursor=cursor, node=AuditEntry.from_document(item)),
        )
        return cls(edges=edges, page_info=info, total_count=page.total_count)
