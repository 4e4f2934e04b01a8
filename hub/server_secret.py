"""The server secret: signs survey links and keys the suppression list's hashes."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from hub.settings import Settings

SECRET_FILE = "secret-key"  # noqa: S105 - a file name, not a secret


def server_secret(settings: Settings) -> bytes:
    """HUB_SECRET_KEY, or a random secret generated once and kept in the data folder
    (readable by the owner only), so links and hashes survive a restart."""
    if settings.secret_key is not None:
        return settings.secret_key.get_secret_value().encode()
    path = Path(settings.data_dir) / SECRET_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process wrote it first: use theirs
        else:
            with os.fdopen(descriptor, "w") as file:
                file.write(secrets.token_urlsafe(48))
    return path.read_text().strip().encode()
