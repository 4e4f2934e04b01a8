"""The embedded database runs with authentication, its login kept in the data folder
for the owner only, and keeps its oplog (where an erased person's data lingers) for
the configured window only."""

from __future__ import annotations

import json
import stat
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from pymongo.errors import OperationFailure

from hub import embedded_credentials
from hub.db import EmbeddedDatabase, make_client
from hub.server import runtime
from hub.settings import Settings
from tests.support.waiting import eventually

# Subprocesses, real servers, restarts or fuzzing: not in `make test-fast`.
pytestmark = pytest.mark.slow


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def command_line(pid: int | None) -> list[str]:
    assert pid is not None
    return Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")


@pytest.fixture
async def embedded(tmp_path: Path) -> AsyncIterator[tuple[Settings, EmbeddedDatabase]]:
    settings = Settings(_env_file=None, data_dir=tmp_path / "data")
    server = runtime.embedded_database(settings)
    server.start()
    try:
        await server.wait_ready()
        yield settings, server
    finally:
        server.stop()


async def _refused(uri: str) -> int:
    client = make_client(uri, serverSelectionTimeoutMS=2000)
    try:
        with pytest.raises(OperationFailure) as refused:
            await client.feedback_hub.responses.find_one({})
        return int(refused.value.code or 0)
    finally:
        await client.close()


async def test_a_client_without_the_generated_login_is_refused(
    embedded: tuple[Settings, EmbeddedDatabase],
) -> None:
    settings, server = embedded
    data = settings.data_dir
    credentials_file = data / embedded_credentials.CREDENTIALS_FILE
    stored = json.loads(credentials_file.read_text())
    assert stored["provisioned"] is True and len(stored["password"]) >= 32
    assert mode(credentials_file) == 0o600
    assert mode(data) == 0o700 and mode(data / "db") == 0o700

    # Without a login, or with a wrong password, nothing can be read
    assert await _refused(f"mongodb://127.0.0.1:{server.port}/?directConnection=true") == 13
    wrong = embedded_credentials.Credentials(stored["user"], "not-the-password", True)
    assert await _refused(wrong.uri(server.port)) == 18

    # With it, the hub reads and writes; the password is on no command line
    client = make_client(server.uri)
    try:
        await client.feedback_hub.probe.insert_one({"ok": 1})
        assert await client.feedback_hub.probe.count_documents({}) == 1
    finally:
        await client.close()
    assert stored["password"] not in " ".join(command_line(server.pid))
    assert "--auth" in command_line(server.pid)


async def test_the_login_is_kept_across_restarts_and_strangers_are_dropped(
    tmp_path: Path,
) -> None:
    storage = tmp_path / "data" / "db"
    # Given a database someone used without authentication, creating a user of their own
    open_server = EmbeddedDatabase(storage)
    open_server.start()
    try:
        await open_server.wait_ready()
        client = make_client(open_server.uri)
        await client.admin.command("createUser", "intruder", pwd="secret-pw", roles=["root"])
        await client.feedback_hub.command("createUser", "other", pwd="secret-pw", roles=[])
        await client.feedback_hub.kept.insert_one({"n": 1})
        await client.close()
    finally:
        open_server.stop()

    # When the hub starts it with authentication, twice
    settings = Settings(_env_file=None, data_dir=tmp_path / "data")
    for _ in range(2):
        server = runtime.embedded_database(settings)
        server.start()
        try:
            await server.wait_ready()
            client = make_client(server.uri)
            users = await client.admin["system.users"].find().to_list()
            assert await client.feedback_hub.kept.count_documents({}) == 1
            await client.close()
        finally:
            server.stop()
        # Then only the hub's user exists, and the data is still there
        assert [(user["user"], user["db"]) for user in users] == [
            (embedded_credentials.USER, "admin")
        ]


async def test_a_login_whose_user_is_gone_is_created_again(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path / "data")
    path = runtime.credentials_file(settings)
    assert path is not None
    embedded_credentials.save(
        path, embedded_credentials.Credentials("feedback-hub", "x" * 40, True)
    )

    server = runtime.embedded_database(settings)  # a new, empty database folder
    server.start()
    try:
        await server.wait_ready()
        client = make_client(server.uri)
        assert await client.feedback_hub.probe.count_documents({}) == 0
        await client.close()
    finally:
        server.stop()


async def test_no_stray_secantusd_toml_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A configuration file in the working directory that would open a test back door
    monkeypatch.chdir(tmp_path)
    (tmp_path / "secantusd.toml").write_text("[server]\nenable_test_commands = true\n")
    server = EmbeddedDatabase(tmp_path / "data" / "db", durable=False)
    server.start()
    try:
        await server.wait_ready()
        client = make_client(server.uri)
        try:
            with pytest.raises(OperationFailure):
                await client.admin.command(
                    "configureFailPoint", "failCommand", mode={"times": 1}, data={}
                )
        finally:
            await client.close()
    finally:
        server.stop()


async def test_authentication_can_be_turned_off(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path / "data", embedded_db_auth=False)
    server = runtime.embedded_database(settings)
    server.start()
    try:
        await server.wait_ready()
        assert "--auth" not in command_line(server.pid)
        assert not (tmp_path / "data" / embedded_credentials.CREDENTIALS_FILE).exists()
    finally:
        server.stop()


def test_the_oplog_window_setting_reaches_the_server(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path / "data", embedded_oplog_seconds=900)
    command = runtime.embedded_database(settings).command(auth=True)
    at = command.index("--oplog-retention-seconds")
    assert command[at + 1] == "900"
    default = runtime.embedded_database(Settings(_env_file=None, data_dir=tmp_path / "other"))
    assert "600" in default.command(auth=True)


async def test_old_oplog_entries_are_pruned_on_a_quiet_server(tmp_path: Path) -> None:
    server = EmbeddedDatabase(tmp_path / "db", durable=False, oplog_seconds=2, prune_every=0.5)
    server.start()
    try:
        await server.wait_ready()
        line = command_line(server.pid)
        assert line[line.index("--oplog-retention-seconds") + 1] == "2"
        client = make_client(server.uri)
        await client.feedback_hub.people.insert_one({"email": "gone@example.org"})
        oplog = client.local["oplog.rs"]
        about = {"ns": "feedback_hub.people"}
        assert await oplog.count_documents(about) == 1

        # No further write: SecantusDB alone would keep the entry; the hub prunes it
        async def pruned() -> bool:
            return await oplog.count_documents(about) == 0

        await eventually(pruned, within=30)
        await client.close()
    finally:
        server.stop()
