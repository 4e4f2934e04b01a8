"""Writing theme tags: what the tagger (new comments) and the re-tag jobs (past
comments) both do with a set of responses read in a transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pymongo.asynchronous.client_session import AsyncClientSession

from hub.services.platform.store import Raw
from hub.services.themes.listeners import ThemeTagListener
from hub.services.themes.matching import CompiledTheme, as_tags, language_of, tag
from hub.services.widget.stores import responses

# How many times in a row a batch is read again after `StateMoved` before giving up.
MAX_MOVES = 5


class StateMoved(Exception):
    """A response read was not there to write its tags (a change after the read
    conflicts with the write instead): the transaction is undone, and the batch read
    again."""


@dataclass(frozen=True)
class Tagged:
    written: int  # responses whose tags were written
    changed: int  # of those, the ones whose tags are not what they were


def tags_of(response: Raw, themes: Sequence[CompiledTheme]) -> list[dict[str, Any]]:
    """The tags of a response's comment (none without one), in its locale's language."""
    comment = response.get("comment")
    if not comment:
        return []
    matches = tag(comment, language_of(response.get("locale")), themes)
    return [found.model_dump() for found in as_tags(matches)]


def _keys(tags: Sequence[dict[str, Any]]) -> list[str]:
    return [str(found["theme"]) for found in tags]


async def write_tags(
    read: Sequence[Raw],
    themes: Sequence[CompiledTheme],
    listeners: Sequence[ThemeTagListener],
    session: AsyncClientSession,
) -> Tagged:
    """Tag the responses `read` in `session` with `themes`, writing those that wait
    for the tagger or whose tags differ in one command (a write committed to one of
    them since the read conflicts, and the transaction runs again; one no longer
    there is `StateMoved`), and tell every listener of each written one that has a
    comment, in the same transaction."""
    tagged: list[tuple[Raw, list[dict[str, Any]]]] = []
    changed = 0
    for response in read:
        tags = tags_of(response, themes)
        before = response.get("themes") or []
        if tags != before:
            changed += 1
        if tags != before or response.get("themes_pending"):
            tagged.append((response, tags))
    if await responses.write_theme_tags(tagged, session) != len(tagged):
        raise StateMoved
    for response, tags in tagged:
        if not response.get("comment"):
            continue  # erased while it waited: nothing to tell
        before_keys, after_keys = _keys(response.get("themes") or []), _keys(tags)
        for listener in listeners:
            await listener.tags_changed(response, before_keys, after_keys, session)
    return Tagged(written=len(tagged), changed=changed)
