"""SecantusDB's failpoints (a server started with `--enable-test-commands`), armed by a
test's own client: commands held before the server runs them, or failed once."""

from __future__ import annotations

from typing import Any

from pymongo import AsyncMongoClient

# Far past every limit and wait of the tests: a held command answers only when the test
# acts (kills the server, or turns the failpoint off).
STALL_MS = 30_000
# BadValue: an error the driver does not retry.
NOT_RETRIED = 2

Control = AsyncMongoClient[dict[str, Any]]


async def stall(
    control: Control,
    command: str | list[str],
    block_ms: int = STALL_MS,
    mode: str | dict[str, int] = "alwaysOn",
) -> None:
    """Hold every matching command (one name or several) for `block_ms` before the
    server runs it."""
    commands = [command] if isinstance(command, str) else command
    await control.admin.command(
        "configureFailPoint",
        "failCommand",
        mode=mode,
        data={"failCommands": commands, "blockConnection": True, "blockTimeMS": block_ms},
    )


async def fail_once(control: Control, command: str) -> None:
    """The next `command` fails with an error the driver does not retry."""
    await control.admin.command(
        "configureFailPoint",
        "failCommand",
        mode={"times": 1},
        data={"failCommands": [command], "errorCode": NOT_RETRIED},
    )


async def recover(control: Control) -> None:
    await control.admin.command("configureFailPoint", "failCommand", mode="off")
