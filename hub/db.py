"""The database: the client, Beanie's start-up, and the embedded SecantusDB server."""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from beanie import init_beanie
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from hub.models import ALL_MODELS

log = logging.getLogger(__name__)

Database = AsyncDatabase[dict[str, Any]]


def make_client(uri: str, **options: Any) -> AsyncMongoClient[dict[str, Any]]:
    """A client that returns timezone-aware UTC datetimes."""
    options.setdefault("serverSelectionTimeoutMS", 5000)
    return AsyncMongoClient(uri, tz_aware=True, **options)


# Indexes that earlier versions created and that no longer fit the documents, by
# collection: dropped before the declared ones are created.
RETIRED_INDEXES: dict[str, tuple[str, ...]] = {
    # One entry per identity whatever the reason; now one per identity and reason.
    "suppressions": ("identity_unique",),
}


async def init_models(database: Database) -> None:
    """Bind every document model to `database` and create the declared indexes,
    after dropping the retired ones."""
    await drop_retired_indexes(database)
    await init_beanie(database=database, document_models=list(ALL_MODELS))


async def drop_retired_indexes(database: Database) -> list[str]:
    """Drop the indexes of `RETIRED_INDEXES` that exist; returns what was dropped."""
    dropped = []
    for collection, names in RETIRED_INDEXES.items():
        existing = await database[collection].index_information()
        for name in names:
            if name in existing:
                await database[collection].drop_index(name)
                log.info("dropped the retired index %s of %s", name, collection)
                dropped.append(f"{collection}.{name}")
    return dropped


async def ping(client: AsyncMongoClient[dict[str, Any]]) -> bool:
    try:
        await client.admin.command("ping")
    except Exception:  # any failure means "not ready"; the caller reports it
        return False
    return True


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _die_with_parent() -> None:  # pragma: no cover - runs in the child
    """Ask Linux to SIGTERM the database if the hub process dies without stopping it."""
    with contextlib.suppress(Exception):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGTERM)


class EmbeddedDatabase:
    """SecantusDB run as a separate process on 127.0.0.1.

    It is started in its own session so a Ctrl-C in the terminal reaches only the
    hub, which then stops the database last, after its own shutdown.
    """

    def __init__(self, storage_path: Path | str, port: int = 0, durable: bool = True) -> None:
        self.storage_path = storage_path
        self.durable = durable
        self.port = port or free_port()
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def uri(self) -> str:
        return f"mongodb://127.0.0.1:{self.port}/?directConnection=true"

    def start(self) -> None:
        if isinstance(self.storage_path, Path):
            self.storage_path.mkdir(parents=True, exist_ok=True)
        command = [
            sys.executable,
            "-m",
            "secantus",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--storage-path",
            str(self.storage_path),
            "--log-level",
            "WARNING",
        ]
        if self.durable:
            # Flush the log on every commit: an acknowledged write survives a crash.
            command.append("--sync-on-commit")
        log.info("starting embedded database on port %s", self.port)
        self._process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            command,
            start_new_session=True,
            preexec_fn=_die_with_parent if sys.platform == "linux" else None,
            stdout=subprocess.DEVNULL,
        )

    async def wait_ready(self, within: float = 30.0) -> None:
        """Wait until the server answers `ping`; fail if it exits or takes too long."""
        client = make_client(self.uri, serverSelectionTimeoutMS=250)
        deadline = time.monotonic() + within
        try:
            while True:
                if self._process is not None and self._process.poll() is not None:
                    raise RuntimeError(
                        f"embedded database exited with code {self._process.returncode}; "
                        f"is another hub using {self.storage_path}?"
                    )
                if await ping(client):
                    return
                if time.monotonic() > deadline:
                    raise TimeoutError("embedded database did not answer ping in time")
                await asyncio.sleep(0.1)
        finally:
            await client.close()

    def stop(self, timeout: float = 15.0) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        log.info("stopping embedded database")
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            log.warning("embedded database did not stop in %ss; killing it", timeout)
            process.kill()
            process.wait()

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None


def storage_path_for(data_dir: Path) -> Path:
    return Path(os.fspath(data_dir)) / "db"
