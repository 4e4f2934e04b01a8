import strawberry

from graphql_schema.followups.types import FollowUp
from graphql_schema.platform.paging import CountedConnection


@strawberry.type(description="A page of follow-ups, in the order asked for (Relay connection).")
class FollowUpConnection(CountedConnection[FollowUp]):
    pass
