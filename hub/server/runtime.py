"""Opening the database for the server and the CLI alike.

With `HUB_MONGODB_URI` set, the hub connects to it. Otherwise it uses the embedded
SecantusDB server: the one a running hub started on the same data folder (its port is
written to `embedded-db.json` there), or a new one it starts and later stops.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pymongo import AsyncMongoClient
from pymongo.errors import InvalidOperation

from hub import embedded_credentials
from hub.db import Database, EmbeddedDatabase, init_models, make_client, ping, storage_path_for
from hub.settings import Settings

log = logging.getLogger(__name__)


@dataclass
class OpenDatabase:
    client: AsyncMongoClient[dict[str, Any]]
    database: Database
    embedded: EmbeddedDatabase | None


def _marker(settings: Settings) -> Path:
    return settings.data_dir / "embedded-db.json"


def credentials_file(settings: Settings) -> Path | None:
    """Where the embedded database's login is kept; None when it runs without one."""
    if not settings.embedded_db_auth:
        return None
    return settings.data_dir / embedded_credentials.CREDENTIALS_FILE


def embedded_database(settings: Settings) -> EmbeddedDatabase:
    """The embedded server for this data folder, as the settings configure it. The
    data folder is made the owner's alone (mode 700)."""
    embedded_credentials.secure_folder(settings.data_dir)
    return EmbeddedDatabase(
        storage_path_for(settings.data_dir),
        settings.embedded_db_port,
        credentials_file=credentials_file(settings),
        oplog_seconds=settings.embedded_oplog_seconds,
    )


def write_marker(settings: Settings, embedded: EmbeddedDatabase) -> None:
    """Tell CLI commands run meanwhile which server to use (readable by the owner only)."""
    path = _marker(settings)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        json.dump({"pid": embedded.pid, "port": embedded.port}, file)


async def running_embedded(settings: Settings) -> str | None:
    """The URI of an embedded server a live hub started on this data folder."""
    try:
        info = json.loads(_marker(settings).read_text())
        os.kill(int(info["pid"]), 0)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    port = int(info["port"])
    uri = f"mongodb://127.0.0.1:{port}/?directConnection=true"
    path = credentials_file(settings)
    if path is not None:
        credentials = embedded_credentials.load(path)
        if credentials is not None and credentials.provisioned:
            uri = credentials.uri(port)
    client = make_client(uri, serverSelectionTimeoutMS=1000)
    try:
        return uri if await ping(client) else None
    finally:
        await client.close()


async def find_or_start_embedded(settings: Settings) -> tuple[str, EmbeddedDatabase | None]:
    """The URI of the embedded server for this data folder: the one a live hub started
    (None second: that hub stops it), or one started here and announced in the marker
    file (to be stopped with `stop_embedded`)."""
    found = await running_embedded(settings)
    if found is not None:
        return found, None
    embedded = embedded_database(settings)
    embedded.start()
    try:
        await embedded.wait_ready()
    except BaseException:
        embedded.stop()
        raise
    write_marker(settings, embedded)
    return embedded.uri, embedded


def stop_embedded(settings: Settings, embedded: EmbeddedDatabase | None) -> None:
    """Stop a server `find_or_start_embedded` started, and take its marker away."""
    if embedded is None:
        return
    with contextlib.suppress(FileNotFoundError):
        _marker(settings).unlink()
    embedded.stop()


@contextlib.asynccontextmanager
async def open_database(settings: Settings) -> AsyncIterator[OpenDatabase]:
    embedded: EmbeddedDatabase | None = None
    if settings.mongodb_uri is not None:
        uri = settings.mongodb_uri.get_secret_value()
    else:
        uri, embedded = await find_or_start_embedded(settings)
    client = make_client(
        uri, settings.db_timeout_ms, serverSelectionTimeoutMS=settings.db_timeout_ms
    )
    try:
        database: Database = client[settings.db_name]
        await init_models(database)
        yield OpenDatabase(client=client, database=database, embedded=embedded)
    finally:
        with contextlib.suppress(InvalidOperation):  # closed already (and its cursors)
            await client.close()
        stop_embedded(settings, embedded)
