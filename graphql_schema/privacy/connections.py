import strawberry

from graphql_schema.platform.paging import CountedConnection
from graphql_schema.privacy.types import AuditEntry, RightsRequest


@strawberry.type(description="A page of rights requests, soonest due first (Relay connection).")
class RightsRequestConnection(CountedConnection[RightsRequest]):
    pass


@strawberry.type(description="A page of the audit log, newest first (Relay connection).")
class AuditEntryConnection(CountedConnection[AuditEntry]):
    pass
