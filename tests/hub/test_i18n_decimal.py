"""Numbers as each language writes them: a decimal comma in every interface language
but English."""

from __future__ import annotations

import pytest

from hub import i18n


@pytest.mark.parametrize(
    ("value", "digits", "language", "signed", "written"),
    [
        (42.46, 1, "en", False, "42.5"),
        (42.46, 1, "es", False, "42,5"),
        (42.46, 2, "nb-NO", False, "42,46"),
        (-3.25, 1, "fi", False, "-3,2"),  # rounded half to even, as Python formats
        (3.2, 1, "nl", True, "+3,2"),
        (-3.2, 1, "en", True, "-3.2"),
        (7.0, 0, "sv", False, "7"),
        (0.5, 1, "ja", False, "0.5"),  # a language the interface does not speak: English
    ],
)
def test_decimal(value: float, digits: int, language: str, signed: bool, written: str) -> None:
    assert i18n.decimal(value, digits, language, signed) == written


def test_every_interface_language_but_english_writes_a_decimal_comma() -> None:
    assert set(i18n.STRINGS) - i18n.DECIMAL_COMMA == {"en"}
