"""The servers the browser tests drive, and a host page opened in its own context."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from playwright.async_api import Page, ViewportSize

from hub.settings import Settings

PHONE: ViewportSize = {"width": 360, "height": 740}


@dataclass
class Servers:
    hub: str
    host: str
    settings: Settings


@dataclass
class HostPage:
    """A host page and what it did: every request, uncaught error and console message."""

    page: Page
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)


# The `open_host` fixture: opens a URL of the host page (at a viewport, PHONE unless given).
OpenHost = Callable[..., Awaitable[HostPage]]
