"""The console's strings: every key in every one of the seven languages, with the same
placeholders, and no empty text."""

from __future__ import annotations

import re

import pytest

from hub.web.console import strings

PLACEHOLDER = re.compile(r"\{(\w+)\}")


@pytest.mark.parametrize("module", strings.MODULES, ids=lambda m: m.__name__.split(".")[-1])
def test_every_language_has_every_string(module: object) -> None:
    catalog: dict[str, dict[str, str]] = module.STRINGS  # type: ignore[attr-defined]
    assert sorted(catalog) == sorted(strings.LANGUAGES)
    english = catalog["en"]
    for language, texts in catalog.items():
        assert texts.keys() == english.keys(), language
        for key, text in texts.items():
            assert text.strip(), (language, key)
            assert set(PLACEHOLDER.findall(text)) == set(PLACEHOLDER.findall(english[key])), (
                language,
                key,
            )


def test_no_two_parts_of_the_console_use_the_same_key() -> None:
    seen: dict[str, str] = {}
    for module in strings.MODULES:
        for key in module.STRINGS["en"]:
            assert key not in seen, (key, seen.get(key), module.__name__)
            seen[key] = module.__name__
