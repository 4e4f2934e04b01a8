"""The README documents every setting."""

from pathlib import Path

from hub.settings import Settings

README = Path(__file__).resolve().parent.parent / "README.md"


def test_every_setting_is_in_the_readme() -> None:
    text = README.read_text()
    missing = [name for name in Settings.model_fields if f"`HUB_{name.upper()}`" not in text]

    assert missing == [], f"document these settings in the README: {missing}"
