"""The servers the browser tests drive."""

from __future__ import annotations

from dataclasses import dataclass

from hub.settings import Settings


@dataclass
class Servers:
    hub: str
    host: str
    settings: Settings
