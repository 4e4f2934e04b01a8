"""Counting the database commands a piece of work sends, with PyMongo command
monitoring: tests say how much work a call did by counting, never by timing it."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from pymongo import monitoring

from hub.db import Database, init_models, make_client


class CommandCounter(monitoring.CommandListener):
    """The names of the commands sent, in order; in `sent`, the commands themselves (to
    run one again under `explain`); in `targets`, each name with the collection it
    names (None for one on no collection, such as commitTransaction, or for a
    client-level `bulkWrite`, whose collections are in `bulk_collections`)."""

    def __init__(self) -> None:
        self.commands: list[str] = []
        self.sent: list[dict[str, Any]] = []
        self.targets: list[tuple[str, str | None]] = []
        self.bulk_collections: list[str] = []

    @property
    def collections(self) -> set[str]:
        """Every collection a command sent named or, in a `bulkWrite`, wrote to (its
        `nsInfo`: each collection once per command)."""
        named = {target for _, target in self.targets if target is not None}
        return named | set(self.bulk_collections)

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        self.commands.append(event.command_name)
        self.sent.append(dict(event.command))
        target = event.command.get(event.command_name)
        self.targets.append((event.command_name, target if isinstance(target, str) else None))
        if event.command_name == "bulkWrite":
            for info in event.command.get("nsInfo", []):
                self.bulk_collections.append(str(info["ns"]).split(".", 1)[1])

    def clear(self) -> None:
        self.commands.clear()
        self.sent.clear()
        self.targets.clear()
        self.bulk_collections.clear()

    def first(self, name: str) -> dict[str, Any]:
        """The first `name` command sent, without what the driver adds to every command
        (session, cluster time, database), as `explain` takes it."""
        command = next(c for c in self.sent if next(iter(c)) == name)
        return {k: v for k, v in command.items() if not k.startswith("$") and k != "lsid"}

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


@contextlib.asynccontextmanager
async def counting_commands(mongo_uri: str, database: Database) -> AsyncIterator[CommandCounter]:
    """Every model bound, while open, to `database` through a client that counts its
    commands; bound back to `database` itself on leaving. Open it after the app's
    start-up, which binds the models itself."""
    counter = CommandCounter()
    client = make_client(mongo_uri, event_listeners=[counter])
    await init_models(client[database.name])
    counter.clear()
    try:
        yield counter
    finally:
        await init_models(database)
        await client.close()
