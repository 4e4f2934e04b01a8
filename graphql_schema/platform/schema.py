"""What operators read about the hub's own machinery: the outbox's deliveries."""

import strawberry

from graphql_schema.context import Context
from graphql_schema.errors import query
from graphql_schema.permissions import IsAdmin
from graphql_schema.platform.connections import DeliveryConnection
from graphql_schema.platform.types import Delivery, DeliveryStatus


@strawberry.type
class PlatformQuery:
    @query(
        permission_classes=[IsAdmin],
        description="Slack posts and e-mails in the outbox, newest first: which wait, "
        "retry, went or were given up. `kind` is email, slack.post, slack.update, "
        "slack.thread or slack.redact.",
    )
    async def deliveries(
        self,
        info: strawberry.Info[Context],
        status: DeliveryStatus | None = None,
        kind: str | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> DeliveryConnection:
        page = await info.context.services.deliveries.page(status, kind, first, after)
        return DeliveryConnection.from_page(page, Delivery.from_document)
