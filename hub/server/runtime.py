"""Opening the database for the server and the CLI alike.

With `HUB_MONGODB_URI` set, the hub connects to it. Otherwise it uses the embedded
SecantusDB server: the one a running hub started on the same data folder (its port is
written to `embedded-db.json` there), or a new one it starts, supervises (starts again
should it die) and later stops.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import threading
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pymongo import AsyncMongoClient
from pymongo.errors import InvalidOperation, PyMongoError

from hub import embedded_credentials
from hub.db import Database, EmbeddedDatabase, init_models, make_client, ping, storage_path_for
from hub.settings import Settings

log = logging.getLogger(__name__)


class EmbeddedSupervisor:
    """Keeps the embedded database running while the hub runs.

    A thread looks at the server process every `check_every` seconds. When it has
    exited (killed, crashed, out of memory), the thread starts it again on the same
    port and data folder, where the hub's client finds it again by itself. While
    attempts fail, or the server keeps dying within `steady_after` seconds of a start,
    it waits longer before each attempt (`backoff`). Every restart is logged and
    counted (`hub_embedded_database_restarts_total`). After `give_up_after` failed
    attempts in a row the supervisor reports itself unhealthy, so /healthz answers 503
    and a process supervisor restarts the whole hub; it keeps trying meanwhile.

    A thread rather than a task: under `serve --workers`, the parent process that owns
    the database runs no event loop. The thread also stops the server at the end: a
    server it started is bound to it (it gets SIGTERM when its starter thread ends)."""

    def __init__(
        self,
        embedded: EmbeddedDatabase,
        report: Callable[[EmbeddedSupervisor], None] | None = None,
        check_every: float = 1.0,
        backoff: tuple[float, ...] = (1.0, 2.0, 4.0, 8.0, 15.0, 30.0),
        give_up_after: int = 3,
        steady_after: float = 60.0,
        start_within: float = 30.0,
    ) -> None:
        self.embedded = embedded
        self.report = report
        self.check_every = check_every
        self.backoff = backoff
        self.give_up_after = give_up_after
        self.steady_after = steady_after
        self.start_within = start_within
        self.restarted = 0
        self.failed = 0
        self.failed_in_a_row = 0
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def healthy(self) -> bool:
        """False once `give_up_after` attempts in a row failed to start it again."""
        return self.failed_in_a_row < self.give_up_after

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self._watch, name="embedded-db-supervisor", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop watching and stop the server (the thread does, see the class)."""
        self._stopping.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout=self.start_within + 20)
        self.embedded.stop()

    def _watch(self) -> None:
        attempts = 0  # since the server last ran steadily
        down = False
        started = time.monotonic()
        while not self._stopping.wait(self.check_every):
            code = self.embedded.exit_code()
            if code is None and not down:
                if time.monotonic() - started > self.steady_after:
                    attempts = 0
                continue
            if attempts:
                pause = self.backoff[min(attempts, len(self.backoff)) - 1]
                if self._stopping.wait(pause):
                    break
            attempts += 1
            if not down:
                log.warning("embedded database exited (code %s); starting it again", code)
            started = time.monotonic()
            down = not self._restart()
        self.embedded.stop()

    def _restart(self) -> bool:
        self.embedded.relaunch()
        try:
            asyncio.run(self.embedded.wait_ready(self.start_within))
        except (RuntimeError, TimeoutError, PyMongoError) as error:
            self.failed += 1
            self.failed_in_a_row += 1
            self._report()
            log.error(
                "embedded database did not start again (%s: %s); %d attempt(s) failed in a row",
                type(error).__name__,
                error,
                self.failed_in_a_row,
            )
            return False
        self.restarted += 1
        self.failed_in_a_row = 0
        self._report()
        log.warning(
            "embedded database started again on port %s (%d restart(s) so far)",
            self.embedded.port,
            self.restarted,
        )
        return True

    def _report(self) -> None:
        if self.report is not None:
            try:
                self.report(self)
            except OSError as error:
                log.warning("embedded database state not written (%s)", type(error).__name__)


@dataclass
class OpenDatabase:
    client: AsyncMongoClient[dict[str, Any]]
    database: Database
    embedded: EmbeddedDatabase | None
    supervisor: EmbeddedSupervisor | None = None


@dataclass(frozen=True)
class EmbeddedStatus:
    """What the supervisor of the embedded database last announced in the marker file,
    which every process on the data folder reads (under `serve --workers` the parent
    supervises and the workers answer /healthz and /metrics)."""

    restarts: int
    failed_restarts: int
    healthy: bool


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


def write_marker(
    settings: Settings, embedded: EmbeddedDatabase, supervisor: EmbeddedSupervisor | None = None
) -> None:
    """Tell CLI commands run meanwhile which server to use, and every process on the
    data folder how its supervisor fares (readable by the owner only). Written whole
    to a new file that then replaces the old, so a reader never sees half of it."""
    marker: dict[str, Any] = {"pid": embedded.pid, "port": embedded.port}
    if supervisor is not None:
        marker |= {
            "supervisor_pid": os.getpid(),
            "restarts": supervisor.restarted,
            "failed_restarts": supervisor.failed,
            "healthy": supervisor.healthy,
        }
    path = _marker(settings)
    written = path.with_suffix(".tmp")
    descriptor = os.open(written, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        json.dump(marker, file)
    os.replace(written, path)


def embedded_status(settings: Settings) -> EmbeddedStatus | None:
    """The state of the supervised embedded database of this data folder; None when
    no live hub process supervises one (an external database, or a stale marker)."""
    try:
        marker = json.loads(_marker(settings).read_text())
        os.kill(int(marker["supervisor_pid"]), 0)
        return EmbeddedStatus(
            restarts=int(marker["restarts"]),
            failed_restarts=int(marker["failed_restarts"]),
            healthy=bool(marker["healthy"]),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


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


def supervise(settings: Settings, embedded: EmbeddedDatabase) -> EmbeddedSupervisor:
    """Start an `EmbeddedSupervisor` for a server `find_or_start_embedded` started: it
    announces its state and each restart (with the new process's id) in the marker."""

    def report(supervisor: EmbeddedSupervisor) -> None:
        write_marker(settings, embedded, supervisor)

    supervisor = EmbeddedSupervisor(embedded, report)
    report(supervisor)
    supervisor.start()
    return supervisor


def stop_embedded(
    settings: Settings,
    embedded: EmbeddedDatabase | None,
    supervisor: EmbeddedSupervisor | None = None,
) -> None:
    """Stop a server `find_or_start_embedded` started (its supervisor first, so it is
    not started again), and take its marker away."""
    if embedded is None:
        return
    if supervisor is not None:
        supervisor.stop()
    with contextlib.suppress(FileNotFoundError):
        _marker(settings).unlink()
    embedded.stop()


@contextlib.asynccontextmanager
async def open_database(settings: Settings) -> AsyncIterator[OpenDatabase]:
    embedded: EmbeddedDatabase | None = None
    supervisor: EmbeddedSupervisor | None = None
    if settings.mongodb_uri is not None:
        uri = settings.mongodb_uri.get_secret_value()
    else:
        uri, embedded = await find_or_start_embedded(settings)
        if embedded is not None:
            supervisor = supervise(settings, embedded)
    client = make_client(
        uri, settings.db_timeout_ms, serverSelectionTimeoutMS=settings.db_timeout_ms
    )
    try:
        database: Database = client[settings.db_name]
        await init_models(database)
        yield OpenDatabase(client, database, embedded, supervisor)
    finally:
        with contextlib.suppress(InvalidOperation):  # closed already (and its cursors)
            await client.close()
        stop_embedded(settings, embedded, supervisor)
