import strawberry

from graphql_schema.followups.types import FollowUp
from graphql_schema.platform.paging import CountedConnection


@strawberry.type(description="A page of follow-ups, oldest first (Relay connection).")
class FollowUpConnection(CountedConnection[FollowUp]):
    pass
