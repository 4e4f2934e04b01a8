import strawberry

from graphql_schema.followups.types import FollowUp
from graphql_schema.paging import edges_of
from graphql_schema.responses.types import PageInfo
from hub.models import followup as model
from hub.services.platform.paging import Page


@strawberry.type
class FollowUpEdge:
    cursor: str
    node: FollowUp


@strawberry.type(description="A page of follow-ups, oldest first (Relay connection).")
class FollowUpConnection:
    edges: list[FollowUpEdge]
    page_info: PageInfo
    total_count: int

    @classmethod
    def from_page(cls, page: Page[model.FollowUp]) -> "FollowUpConnection":
        edges, info = edges_of(
            page,
            lambda cursor, item: FollowUpEdge(cursor=cursor, node=FollowUp.from_document(item)),
        )
        return cls(edges=edges, page_info=info, total_count=page.total_count)
