"""What operators read about the hub's own machinery: the outbox's deliveries, and the
Slack deliveries held for a reason a person can fix."""

from typing import Annotated

import strawberry

from graphql_schema.context import Context
from graphql_schema.errors import ValidationError, mutation, query
from graphql_schema.permissions import IsAdmin
from graphql_schema.platform.connections import DeliveryConnection
from graphql_schema.platform.types import Delivery, DeliveryStatus, SlackRetry
from hub.services.followups.held import SLACK_KIND_PREFIX, conversation_id

SlackRetryResult = Annotated[SlackRetry | ValidationError, strawberry.union("SlackRetryResult")]


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

    @query(
        permission_classes=[IsAdmin],
        description="Slack posts, updates, redactions, direct messages and notices in the "
        "outbox, newest first; with `status: HELD`, what waits for a person to fix "
        "something, per channel (`channel`), with the reason (`lastErrorCode`) and the "
        "`fix`.",
    )
    async def slack_deliveries(
        self,
        info: strawberry.Info[Context],
        status: DeliveryStatus | None = None,
        channel: str | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> DeliveryConnection:
        page = await info.context.services.deliveries.page(
            status,
            first=first,
            after=after,
            kind_prefix=SLACK_KIND_PREFIX,
            channel=conversation_id(channel),
        )
        return DeliveryConnection.from_page(page, Delivery.from_document)


@strawberry.type
class PlatformMutation:
    @mutation(
        permission_classes=[IsAdmin],
        description="Put held Slack deliveries back in the queue, of one channel or all "
        "(after fixing what held them); one whose cause remains is held again after one "
        "try. They also go out by themselves when the bot joins the channel or the token "
        "works again.",
    )
    async def retry_slack_deliveries(
        self, info: strawberry.Info[Context], channel: str | None = None
    ) -> SlackRetryResult:
        released = await info.context.services.slack_holds.retry(channel)
        return SlackRetry(released=released)
