"""The database: the client, Beanie's start-up, and the embedded SecantusDB server."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import ctypes
import functools
import importlib.util
import logging
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, Protocol, TypeVar

import pymongo
from beanie import init_beanie
from pymongo import AsyncMongoClient, MongoClient
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import (
    ConnectionFailure,
    OperationFailure,
    PyMongoError,
)
from pymongo.read_concern import ReadConcern

from hub import embedded_credentials
from hub.batch import batching
from hub.models import ALL_MODELS

log = logging.getLogger(__name__)

Database = AsyncDatabase[dict[str, Any]]
T = TypeVar("T")

# The time limit of aborting an abandoned transaction on a client without its own.
ABORT_SECONDS = 5.0

AUTHENTICATION_FAILED = 18
CONFIG_NOTE = "# Empty on purpose: the hub passes the embedded database its settings as flags.\n"
UNAUTHORIZED = 13
# The embedded database's server, installed by the `embedded` extra only.
EMBEDDED_MODULE = "secantus"
# SecantusDB's command line as the hub runs it (see the module for why).
EMBEDDED_LAUNCHER = "hub.embedded_server"


def make_client(
    uri: str, timeout_ms: int | None = None, **options: Any
) -> AsyncMongoClient[dict[str, Any]]:
    """A client that returns timezone-aware UTC datetimes.

    With `timeout_ms`, every operation carries that time limit (PyMongo's `timeoutMS`):
    the driver stops waiting when it is spent, finding the server, connecting and
    waiting for the reply included, and sends the server what is left of it as
    `maxTimeMS`, so a stalled server stops the work as well. The error it raises is a
    timeout (`PyMongoError.timeout`), which callers answer with UNAVAILABLE. Code
    that needs another limit sets it around its calls with `pymongo.timeout()`."""
    options.setdefault("serverSelectionTimeoutMS", 5000)
    if timeout_ms is not None:
        options["timeoutMS"] = timeout_ms
    return AsyncMongoClient(uri, tz_aware=True, **options)


class WriteLimited(Protocol):
    """A service whose writes are bounded, in seconds (HUB_WRITE_TIMEOUT_MS)."""

    write_timeout: float


W = TypeVar("W", bound=WriteLimited)
P = ParamSpec("P")


def within_write_limit(
    method: Callable[Concatenate[W, P], Coroutine[Any, Any, T]],
) -> Callable[Concatenate[W, P], Coroutine[Any, Any, T]]:
    """The whole write call within `self.write_timeout` seconds: the reads before its
    transaction and the transaction's retries share that one time limit, which
    HUB_WRITE_TIMEOUT_MS promises for a write in all."""

    async def bounded(self: W, /, *args: P.args, **kwargs: P.kwargs) -> T:
        with pymongo.timeout(self.write_timeout):
            return await method(self, *args, **kwargs)

    functools.update_wrapper(bounded, method)
    return bounded


async def in_transaction(
    client: AsyncMongoClient[dict[str, Any]],
    work: Callable[[AsyncClientSession], Awaitable[T]],
    within: float | None = None,
    ended: Callable[[AsyncClientSession, bool], Awaitable[None]] | None = None,
    batched: bool = False,
) -> T:
    """Run `work` in a transaction, retried as the driver retries transient errors
    (write conflicts), for at most `within` seconds in all (when given), or less when
    the caller's own `pymongo.timeout()` ends sooner; each operation keeps the client's
    own limit either way. Then `ended(session, committed)` runs.

    A transaction given up (its time spent, the database gone) may still be open on
    the server, holding the documents it wrote: the next attempt at the same write
    would conflict with it until the server's transaction lifetime (a minute) ran
    out. So its session is killed on the server, which aborts it; that runs in the
    background with a time limit of its own, and the caller's answer does not wait.

    `batched`: the writes `work` hands to `write_later` and `insert_later` are sent
    together once it returns, still in the transaction (`hub.batch`)."""
    if batched:
        work = batching(work)
    # A batching transaction's session is not causally consistent: a retried attempt
    # would open with a read concern (afterClusterTime) that SecantusDB 0.7 refuses on
    # `bulkWrite`. One transaction reads only its own snapshot, so nothing is lost.
    async with client.start_session(causal_consistency=not batched) as session:
        committed = False
        try:
            if within is None:
                result = await session.with_transaction(work)
            else:
                with pymongo.timeout(within):
                    result = await session.with_transaction(work)
            committed = True
            return result
        except PyMongoError as error:
            if error.timeout or isinstance(error, ConnectionFailure):
                abort_on_server(client, session)
            raise
        finally:
            if ended is not None:
                await ended(session, committed)


async def in_snapshot(
    client: AsyncMongoClient[dict[str, Any]], work: Callable[[AsyncClientSession], Awaitable[T]]
) -> T:
    """Run the reads of `work` in one read-only transaction with read concern
    "snapshot": every read sees the database as of one moment, so a write that
    commits between two of them (say, one moving counts from one collection to
    another) is seen by both or by neither.

    The driver retries a transaction for up to two minutes when the database is
    unreachable; here the whole of it, retries included, has twice the client's
    per-operation time limit, so a read still fails with a timeout when the
    database is gone."""
    seconds = client.options.timeout
    async with client.start_session() as session:
        with pymongo.timeout(None if seconds is None else 2 * seconds):
            result: T = await session.with_transaction(work, read_concern=ReadConcern("snapshot"))
        return result


# Kept referenced until done: the event loop holds tasks only weakly.
_aborting: set[asyncio.Task[None]] = set()


def abort_on_server(client: AsyncMongoClient[dict[str, Any]], session: AsyncClientSession) -> None:
    """Kill `session` on the server (aborting its transaction), in the background.

    The task runs in a context of its own: the caller's time limit, spent by now,
    does not apply to it; the client's per-operation limit (or `ABORT_SECONDS`)
    does."""
    seconds = client.options.timeout or ABORT_SECONDS
    task = asyncio.create_task(
        _kill_session(client, session.session_id, seconds),
        name="abort-abandoned-transaction",
        context=contextvars.Context(),
    )
    _aborting.add(task)
    task.add_done_callback(_aborting.discard)


async def _kill_session(
    client: AsyncMongoClient[dict[str, Any]], session_id: Mapping[str, Any], seconds: float
) -> None:
    try:
        with pymongo.timeout(seconds):
            await client.admin.command("killSessions", [session_id])
    except PyMongoError as error:
        reason = type(error).__name__
        log.warning(
            "abandoned transaction not aborted (%s); the database drops it in a minute", reason
        )


async def cancel_and_wait(task: asyncio.Task[Any]) -> None:
    """Cancel `task` and wait until it has ended, cancelling it again each second: on
    Python 3.11, `asyncio.wait_for`, which PyMongo uses for every send under a time
    limit, loses a cancellation that arrives just as the send completes, and a task
    doing database work would then run on."""
    while not task.done():
        task.cancel()
        await asyncio.wait([task], timeout=1.0)
    with contextlib.suppress(asyncio.CancelledError):
        await task


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


async def ping(client: AsyncMongoClient[dict[str, Any]], within: float | None = None) -> bool:
    """Whether the database answers, within `within` seconds when given (else the
    client's own limit)."""
    try:
        with pymongo.timeout(within):
            await client.admin.command("ping")
    except Exception:  # any failure means "not ready"; the caller reports it
        return False
    return True


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def embedded_installed() -> bool:
    """Whether the embedded database can be started here: a production install
    against a real MongoDB leaves the `embedded` extra out."""
    return importlib.util.find_spec(EMBEDDED_MODULE) is not None


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

    With `credentials_file`, it runs with authentication (SCRAM-SHA-256): on the
    first start the hub generates a user and password into that file, starts the
    server once without authentication to create the user (SecantusDB has no other
    way to create the first user), drops any other user found then, and restarts it
    with authentication on. `uri` carries the credentials.

    With `test_commands`, it accepts `configureFailPoint`, which the fault tests use
    to stall or fail its commands.

    With `ttl_monitor=False`, it never deletes documents past a TTL index's expiry.
    The tests need that: their clock is frozen on a fixed date, so the times they
    store are long past by the wall clock the server's TTL sweep reads, and a sweep
    in the middle of a test would delete what the test just wrote.

    With `oplog_seconds`, the oplog keeps changes that long, and a thread here
    prunes it every `prune_every` seconds (SecantusDB itself prunes only every
    thousand writes), so a quiet server does not keep an erased person longer.
    """

    def __init__(
        self,
        storage_path: Path | str,
        port: int = 0,
        durable: bool = True,
        credentials_file: Path | None = None,
        oplog_seconds: float | None = None,
        prune_every: float = 60.0,
        test_commands: bool = False,
        ttl_monitor: bool = True,
    ) -> None:
        if credentials_file is not None and not isinstance(storage_path, Path):
            raise ValueError("an in-memory database restarts empty: it cannot keep a user")
        self.storage_path = storage_path
        self.durable = durable
        self.port = port or free_port()
        self.credentials_file = credentials_file
        self.oplog_seconds = oplog_seconds
        self.prune_every = prune_every
        self.test_commands = test_commands
        self.ttl_monitor = ttl_monitor
        self._config_folder: tempfile.TemporaryDirectory[str] | None = None
        self._credentials: embedded_credentials.Credentials | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._pruner: threading.Thread | None = None
        self._stopping = threading.Event()

    @property
    def uri(self) -> str:
        if self._credentials is not None and self._credentials.provisioned:
            return self._credentials.uri(self.port)
        return f"mongodb://127.0.0.1:{self.port}/?directConnection=true"

    def command(self, auth: bool) -> list[str]:
        """The server's command line (no secret is ever on it)."""
        command = [
            sys.executable,
            "-m",
            EMBEDDED_LAUNCHER,
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
        if self.oplog_seconds is not None:
            command += ["--oplog-retention-seconds", str(self.oplog_seconds)]
        if auth:
            command.append("--auth")
        if self.test_commands:
            # configureFailPoint, for the fault tests: never for a hub's own server.
            command.append("--enable-test-commands")
        # An explicit file: SecantusDB then reads no secantusd.toml from the working
        # directory, ~/.secantus or /etc/secantus.
        command += ["--config", str(self.config_file)]
        return command

    @property
    def config_file(self) -> Path:
        if isinstance(self.storage_path, Path):
            return self.storage_path.parent / "embedded-db.toml"
        if self._config_folder is None:
            # A server in memory has no folder of its own for the file.
            self._config_folder = tempfile.TemporaryDirectory(prefix="hub-embedded-")
        return Path(self._config_folder.name) / "embedded-db.toml"

    def _config(self) -> str:
        """The server's configuration file: empty, as every setting is a flag, but for
        the TTL sweep, which has none."""
        if self.ttl_monitor:
            return CONFIG_NOTE
        return CONFIG_NOTE + "[storage]\nttl_sweep_seconds = 0\n"

    def start(self) -> None:
        if isinstance(self.storage_path, Path):
            embedded_credentials.secure_folder(self.storage_path)
        self.config_file.write_text(self._config())
        if self.credentials_file is not None:
            self._credentials = embedded_credentials.load_or_create(self.credentials_file)
        self._launch()

    def _launch(self) -> None:
        auth = self._credentials is not None and self._credentials.provisioned
        log.info("starting embedded database on port %s", self.port)
        self._process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            self.command(auth),
            start_new_session=True,
            preexec_fn=_die_with_parent if sys.platform == "linux" else None,
            stdout=subprocess.DEVNULL,
        )

    async def wait_ready(self, within: float = 30.0) -> None:
        """Wait until the server answers `ping` (creating its user first, the first
        time); fail if it exits or takes too long."""
        deadline = time.monotonic() + within
        await self._wait_ping(deadline)
        if self._credentials is not None and self.credentials_file is not None:
            await self._ensure_login(self.credentials_file, self._credentials, deadline)
        if self.oplog_seconds is not None and self._pruner is None:
            self._stopping.clear()
            self._pruner = threading.Thread(
                target=self._prune_oplog, name="embedded-oplog-pruner", daemon=True
            )
            self._pruner.start()

    async def _ensure_login(
        self, path: Path, credentials: embedded_credentials.Credentials, deadline: float
    ) -> None:
        if credentials.provisioned and not await self._logs_in():
            # The user is not there (say, a new database folder): create it again.
            log.warning("embedded database: its user is missing; creating it again")
            credentials = embedded_credentials.mark_provisioned(path, credentials, False)
            self._credentials = credentials
            self._restart()
            await self._wait_ping(deadline)
        if not credentials.provisioned:
            await self._provision(credentials)
            self._credentials = embedded_credentials.mark_provisioned(path, credentials)
            self._restart()
            await self._wait_ping(deadline)
            if not await self._logs_in():
                raise RuntimeError("embedded database refuses the hub's generated login")

    async def _wait_ping(self, deadline: float) -> None:
        client = make_client(
            f"mongodb://127.0.0.1:{self.port}/?directConnection=true",
            serverSelectionTimeoutMS=250,
        )
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

    async def _logs_in(self) -> bool:
        client = make_client(self.uri, serverSelectionTimeoutMS=2000)
        try:
            await client.admin.command("connectionStatus")
        except OperationFailure as error:
            if error.code in (AUTHENTICATION_FAILED, UNAUTHORIZED):
                return False
            raise
        finally:
            await client.close()
        return True

    async def _provision(self, credentials: embedded_credentials.Credentials) -> None:
        """Create the hub's user on the server started without authentication, and
        drop every other user: nobody could create one legitimately before."""
        user, password = credentials.user, credentials.password
        client = make_client(f"mongodb://127.0.0.1:{self.port}/?directConnection=true")
        try:
            admin = client.admin
            found = admin["system.users"].find({}, {"user": 1, "db": 1})  # every database's
            strangers = 0
            async for existing in found:
                if (existing.get("user"), existing.get("db")) == (user, "admin"):
                    continue
                await client[existing["db"]].command("dropUser", existing["user"])
                strangers += 1
            if strangers:
                log.warning("embedded database: dropped %d unknown user(s)", strangers)
            roles = [{"role": "root", "db": "admin"}]
            try:
                await admin.command("createUser", user, pwd=password, roles=roles)
            except OperationFailure:
                await admin.command("updateUser", user, pwd=password, roles=roles)
        finally:
            await client.close()
        log.info("embedded database: its user was created; restarting with authentication")

    def _restart(self) -> None:
        self._stop_process()
        self._launch()

    def exit_code(self) -> int | None:
        """The server process's exit code once it has exited; None while it runs (or
        before it was started)."""
        process = self._process
        return None if process is None else process.poll()

    def relaunch(self) -> None:
        """Start the server process again on the same port and data folder, after
        stopping what is left of the previous one. Follow with `wait_ready`."""
        self._restart()

    def _prune_oplog(self) -> None:
        """Drop oplog entries past the window every `prune_every` seconds."""
        while not self._stopping.wait(self.prune_every):
            try:
                client: MongoClient[dict[str, Any]]
                with MongoClient(self.uri, serverSelectionTimeoutMS=2000) as client:
                    client.admin.command("secantusAdmin.pruneOplog")
            except PyMongoError as error:
                log.warning("embedded database: oplog not pruned (%s)", type(error).__name__)

    def stop(self, timeout: float = 15.0) -> None:
        self._stopping.set()
        pruner, self._pruner = self._pruner, None
        if pruner is not None:
            pruner.join(timeout=5)
        self._stop_process(timeout)
        folder, self._config_folder = self._config_folder, None
        if folder is not None:
            folder.cleanup()

    def _stop_process(self, timeout: float = 15.0) -> None:
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
