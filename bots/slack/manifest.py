"""The Slack app manifest (`bots/slack/manifest.yml`) with a hub's address filled in."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

MANIFEST = Path(__file__).with_name("manifest.yml")
PLACEHOLDER = "https://hub.example.com"


class BadHubUrl(ValueError):
    pass


def render(url: str) -> str:
    """The manifest with every request URL pointing at `url` (https, no path)."""
    parts = urlsplit(url.strip())
    if parts.scheme != "https" or not parts.hostname:
        raise BadHubUrl(
            "--url must be the hub's https:// address, e.g. https://feedback.example.com"
        )
    base = f"https://{parts.netloc}{parts.path.rstrip('/')}"
    return MANIFEST.read_text().replace(PLACEHOLDER, base)
