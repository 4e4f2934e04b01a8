"""Connections built from a service's `Page`: one way to make the edges and the
page info, whatever the node type."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from beanie import Document

from graphql_schema.responses.types import PageInfo
from hub.services.platform.paging import Page

Item = TypeVar("Item", bound=Document)
Edge = TypeVar("Edge")


def edges_of(page: Page[Item], edge: Callable[[str, Item], Edge]) -> tuple[list[Edge], PageInfo]:
    """The page's edges, in order, and its page info (the last edge's cursor)."""
    cursors = [cursor for cursor, _ in page.edges]
    edges = [edge(cursor, item) for cursor, item in page.edges]
    info = PageInfo(has_next_page=page.has_next_page, end_cursor=cursors[-1] if cursors else None)
    return edges, info
