import strawberry

from graphql_schema.followups.types import FollowUp
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
        edges = [
            FollowUpEdge(cursor=cursor, node=FollowUp.from_document(item))
            for cursor, item in page.edges
        ]
        return cls(
            edges=edges,
            page_info=PageInfo(
                has_next_page=page.has_next_page,
                end_cursor=edges[-1].cursor if edges else None,
            ),
            total_count=page.total_count,
        )
