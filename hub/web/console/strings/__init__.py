"""The console's interface strings in the seven built-in languages, one module per
part of the console; `text(language)` merges them. Every key exists in every language
(tests/web/console/test_strings.py)."""

from __future__ import annotations

from functools import cache
from types import MappingProxyType, ModuleType

from hub import i18n
from hub.web.console.strings import board, common, dashboard, members, privacy, surveys

# One module per part of the console, each with a STRINGS dict: language → key → text.
MODULES: tuple[ModuleType, ...] = (common, dashboard, board, surveys, members, privacy)
LANGUAGES = ("en", "es", "nb", "sv", "da", "fi", "nl")


@cache
def text(language: str) -> MappingProxyType[str, str]:
    """Every string of the console in `language` (English for a language it lacks)."""
    language = language if language in LANGUAGES else i18n.DEFAULT_LANGUAGE
    merged: dict[str, str] = {}
    for module in MODULES:
        merged.update(module.STRINGS[language])
    return MappingProxyType(merged)


def language_for(accept_language: str | None) -> str:
    """The first of the browser's languages the console speaks; English otherwise."""
    for tag in i18n.accepted_languages(accept_language):
        language = i18n.language_of(tag)
        if language in LANGUAGES and (language != "en" or tag.lower().startswith("en")):
            return language
    return i18n.DEFAULT_LANGUAGE
