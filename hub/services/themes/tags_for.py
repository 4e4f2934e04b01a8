"""The themes of one response, as the Slack message and the routing need them: the
tags the tagger stored, or, while it has not written them yet, the same tags computed
now.

The tagger works off the request path, seconds after the comment; routing runs in
the comment's own transaction and the Slack message may be posted before the tagger
got to it. Both compute with the same matcher and the same cached themes the tagger
uses, so the tags they use are the tags it stores a moment later (unless an admin
changes the themes in between, when the tagger's are the newer).
"""

from __future__ import annotations

from collections.abc import Iterable

from hub.models.response import Response
from hub.models.theme import ThemeTag
from hub.services.themes.catalog import ThemeCatalog
from hub.services.themes.matching import as_tags, language_of, tag


async def tags_for(response: Response, catalog: ThemeCatalog) -> list[ThemeTag]:
    """The themes the response's comment matches: the stored tags once the tagger
    wrote some and nothing waits to be recomputed, else computed now (a response
    without a comment has none)."""
    if not response.comment:
        return []
    if response.themes and not response.themes_pending:
        return list(response.themes)
    compiled = await catalog.compiled()
    return as_tags(tag(response.comment, language_of(response.locale), compiled))


def theme_keys(tags: Iterable[ThemeTag]) -> list[str]:
    """The theme keys of some tags, once each, in order."""
    return list(dict.fromkeys(found.theme for found in tags))
