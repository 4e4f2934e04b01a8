"""Keeping the theme rollups: the changes a comment's tags record in the tagger's
transaction (`ThemeRollupListener`), and the tables that sum changes, records and
mentions per rollup document for the folder and the rebuild, the theme rollups' apart
from the rollups'."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pymongo.asynchronous.client_session import AsyncClientSession

from hub.models.theme_rollup import THEME_DIMENSIONS
from hub.services.analytics.grains import Grain
from hub.services.analytics.rollups import (
    Increment,
    Table,
    count,
    counters_of,
    dimensions_of,
    new_tables,
    theme_changes,
    theme_increment,
)
from hub.services.analytics.stores import rollup_changes
from hub.services.themes.listeners import ThemeTagListener


@dataclass
class ChangeTables:
    """Counters per rollup document of each grain, summed from changes, records and
    theme mentions: the rollups' in `rollups`, the theme rollups' in `themes`."""

    rollups: dict[Grain, Table] = field(default_factory=new_tables)
    themes: dict[Grain, Table] = field(default_factory=new_tables)

    def add_change(self, change: Mapping[str, Any], sign: int = 1) -> None:
        """A `rollup_changes` document, to the tables it counts in (with sign -1,
        taken away)."""
        dimensions, at, counters = dimensions_of(change), change["at"], counters_of(change)
        if change.get("theme") is None:
            count(self.rollups, dimensions, at, counters, sign)
        else:
            count(self.themes, dimensions, at, counters, sign, THEME_DIMENSIONS)

    def add(self, increment: Increment) -> None:
        """What a record adds to the rollups."""
        count(self.rollups, *increment)

    def add_mentions(self, response: Mapping[str, Any]) -> None:
        """What a stored response's tags add to the theme rollups: one mention of each
        theme its comment has (`themes.theme` of the stored response)."""
        themes = {tag["theme"] for tag in response.get("themes") or ()}
        if not themes:
            return
        dimensions, at, counters = theme_increment(response)
        for theme in themes:
            count(self.themes, {**dimensions, "theme": theme}, at, counters, names=THEME_DIMENSIONS)


class ThemeRollupListener(ThemeTagListener):
    """Records what a change of a comment's tags does to the theme rollups, in the
    transaction that writes the tags: a mention taken away for each theme removed,
    one added for each theme added, with the response's dimensions and score. A
    response taken out of analytics records nothing (its mentions come back with its
    tags as they are then, when it is put back). Like the widget's writes, these are
    new documents that conflict with nothing, and the folder adds them to the theme
    rollups; `committed` wakes it (it waits a moment before folding, by then the
    tagger's transaction has usually committed, and it looks again anyway).

    `response` is the stored response as read in the tagger's transaction, with at
    least its `_id`, `analytics_excluded` and the fields the rollups count
    (`rollups.RESPONSE_FIELDS`)."""

    def __init__(self, committed: Callable[[], None] | None = None) -> None:
        self.committed = committed

    async def tags_changed(
        self,
        response: Mapping[str, Any],
        before: Sequence[str],
        after: Sequence[str],
        session: AsyncClientSession,
    ) -> None:
        if response.get("analytics_excluded"):
            return
        removed, added = set(before) - set(after), set(after) - set(before)
        changes = [*theme_changes(response, removed, -1), *theme_changes(response, added)]
        await rollup_changes.add(changes, session)
        if changes and self.committed is not None:
            self.committed()
