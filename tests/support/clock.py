"""The fixed instant the test clock starts at."""

from __future__ import annotations

from datetime import UTC, datetime

START = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
