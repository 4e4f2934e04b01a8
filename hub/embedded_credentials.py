"""The embedded database's login: a user and a random password generated on first
start and kept in the data folder, readable by the owner only (mode 600 in a
folder of mode 700). The hub and the CLI read them from there."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import quote_plus

CREDENTIALS_FILE = "embedded-db-credentials.json"
USER = "feedback-hub"


@dataclass(frozen=True)
class Credentials:
    """`provisioned` says the user exists in the database, so it starts with
    authentication on; until then the hub creates it first."""

    user: str
    password: str
    provisioned: bool = False

    def uri(self, port: int) -> str:
        return (
            f"mongodb://{quote_plus(self.user)}:{quote_plus(self.password)}@127.0.0.1:{port}/"
            "?directConnection=true&authSource=admin&authMechanism=SCRAM-SHA-256"
        )


def secure_folder(path: Path) -> None:
    """Create the folder if needed and make it the owner's alone (mode 700)."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    with contextlib.suppress(PermissionError):  # not ours: leave it as the owner set it
        os.chmod(path, 0o700)


def load(path: Path) -> Credentials | None:
    try:
        raw = json.loads(path.read_text())
        return Credentials(str(raw["user"]), str(raw["password"]), bool(raw["provisioned"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def load_or_create(path: Path) -> Credentials:
    """The stored credentials, or new ones (not provisioned yet) written first."""
    found = load(path)
    if found is not None:
        with contextlib.suppress(PermissionError):
            os.chmod(path, 0o600)
        return found
    created = Credentials(USER, secrets.token_urlsafe(32))
    save(path, created)
    return created


def save(path: Path, credentials: Credentials) -> None:
    """Write the file atomically, mode 600 from its creation on."""
    secure_folder(path.parent)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with contextlib.suppress(FileNotFoundError):
        temporary.unlink()
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as file:
        json.dump(
            {
                "user": credentials.user,
                "password": credentials.password,
                "provisioned": credentials.provisioned,
            },
            file,
        )
        file.flush()
        os.fsync(file.fileno())
    os.replace(temporary, path)


def mark_provisioned(path: Path, credentials: Credentials, provisioned: bool = True) -> Credentials:
    updated = replace(credentials, provisioned=provisioned)
    save(path, updated)
    return updated
