"""Connections built from a service's `Page` with strawberry's relay types: one way to
make the edges, the page info and the count, whatever the node type.

The cursors are the service's keyset cursors, passed through as they are, and the
connection's arguments stay the service's (`first`, `after` and the filters), so the
fields are plain fields returning a connection, not `relay.connection` (which slices
a list by offset and adds `last`/`before`). Paging runs forwards only:
`hasPreviousPage` is always false."""

from collections.abc import Callable
from typing import Generic, Self, TypeVar

import strawberry
from beanie import Document
from strawberry import relay

from hub.services.platform.paging import Page

Item = TypeVar("Item", bound=Document)
Node = TypeVar("Node")


@strawberry.type
class CountedConnection(relay.Connection[Node], Generic[Node]):
    """A relay connection with the number of matches on every page. Subclasses name
    the node type (`ResponseConnection(CountedConnection[Response])`); strawberry
    names its edges after the node (`ResponseEdge`)."""

    total_count: int = strawberry.field(description="How many match, over all pages.")

    @classmethod
    def from_page(cls, page: Page[Item], node: Callable[[Item], Node]) -> Self:
        """The page's edges, in order, each with its cursor from the service."""
        cursors = [cursor for cursor, _ in page.edges]
        return cls(
            edges=[relay.Edge(cursor=cursor, node=node(item)) for cursor, item in page.edges],
            page_info=relay.PageInfo(
                has_next_page=page.has_next_page,
                has_previous_page=False,
                start_cursor=cursors[0] if cursors else None,
                end_cursor=cursors[-1] if cursors else None,
            ),
            total_count=page.total_count,
        )
