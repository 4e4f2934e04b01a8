"""Running the `feedback-hub` command against the test database."""

from __future__ import annotations

import os
import subprocess
import sys

from hub.settings import Settings


def cli(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    assert settings.mongodb_uri is not None
    env = dict(
        os.environ,
        HUB_MONGODB_URI=settings.mongodb_uri.get_secret_value(),
        HUB_DB_NAME=settings.db_name,
    )
    return subprocess.run(
        [sys.executable, "-m", "hub.server.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
