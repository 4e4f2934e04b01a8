"""What else must change when a comment's tags change: the tagger calls each listener
inside the transaction that writes the tags, so what they write (the theme rollups'
changes) commits or rolls back with the tags."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from pymongo.asynchronous.client_session import AsyncClientSession


class ThemeTagListener(Protocol):
    async def tags_changed(
        self,
        response: Mapping[str, Any],
        before: Sequence[str],
        after: Sequence[str],
        session: AsyncClientSession,
    ) -> None:
        """`response` (the stored response, as the tagger read it in `session`) was
        tagged with the theme keys `before` and is now tagged with `after`."""
