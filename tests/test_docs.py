"""docs/configuration.md documents every setting, and is what its generator prints."""

from pathlib import Path

from hub.server.settings_doc import render
from hub.settings import Settings

CONFIGURATION = Path(__file__).resolve().parent.parent / "docs" / "configuration.md"


def test_every_setting_is_in_the_configuration_page() -> None:
    text = CONFIGURATION.read_text()
    missing = [name for name in Settings.model_fields if f"`HUB_{name.upper()}`" not in text]

    assert missing == [], f"document these settings in docs/configuration.md: {missing}"


def test_the_configuration_page_is_what_the_generator_prints() -> None:
    assert CONFIGURATION.read_text() == render(), (
        "docs/configuration.md is out of date: run `make docs`"
    )
