"""The time one query may run: what the cost model cannot foresee (a slow database,
a range that holds more than its weight says) is stopped and answered with TIMEOUT."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType


class TimedOut(GraphQLError):
    """A query stopped at the time limit; nothing of its answer is sent."""

    def __init__(self, limit_ms: int) -> None:
        super().__init__(
            f"The request took longer than {limit_ms} ms and was stopped; ask for fewer "
            "fields, smaller pages or shorter ranges.",
            extensions={"code": "TIMEOUT", "limitMs": limit_ms},
        )


class TimeLimit(SchemaExtension):
    """Cancels a query's execution after `limit_ms`. Mutations run to their end: a
    write cut off midway could leave half of its work done."""

    def __init__(self, limit_ms: int) -> None:
        self.limit_ms = limit_ms

    async def on_execute(self) -> AsyncIterator[None]:
        if self.execution_context.operation_type is not OperationType.QUERY:
            yield
            return
        try:
            async with asyncio.timeout(self.limit_ms / 1000):
                yield
        except TimeoutError:
            # Raised, not set as the result: execution did not finish, so there is
            # no result to replace. Strawberry answers a GraphQLError raised here as
            # the request's only error.
            raise TimedOut(self.limit_ms) from None
