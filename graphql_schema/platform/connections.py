import strawberry

from graphql_schema.platform.paging import CountedConnection
from graphql_schema.platform.types import Delivery


@strawberry.type(description="A page of deliveries, newest first (Relay connection).")
class DeliveryConnection(CountedConnection[Delivery]):
    pass
