"""What `feedback-hub doctor` reads from the database. The doctor opens its own client
with a short timeout and without Beanie (it diagnoses a hub that may not start), so
these read the raw collections, named by their models."""

from __future__ import annotations

from hub.db import Database
from hub.models.activity import Display
from hub.models.ledger import ErasureLedgerEntry
from hub.models.rollup import DailyRollup, HourlyRollup, SlotRollup
from hub.models.routing import RoutingDefaults, RoutingRule
from hub.models.suppression import Suppression


async def anything_to_count(database: Database) -> bool:
    """Whether some display counts in the analytics."""
    counted = await database[Display.Settings.name].find_one(
        {"analytics_excluded": {"$ne": True}}, {"_id": 1}
    )
    return counted is not None


async def empty_rollup_grains(database: Database) -> list[str]:
    """The rollup collections that hold no counts at all."""
    return [
        model.Settings.name
        for model in (DailyRollup, HourlyRollup, SlotRollup)
        if await database[model.Settings.name].find_one({}, {"_id": 1}) is None
    ]


async def stored_ledger_entries(database: Database) -> set[str]:
    """The ids of the erasure ledger entries the database holds."""
    return {
        str(raw["entry_id"])
        async for raw in database[ErasureLedgerEntry.Settings.name].find({}, {"entry_id": 1})
    }


async def suppressed_among(database: Database, identity_hmacs: list[str]) -> int:
    """How many of these keyed hashes of identities are suppressed."""
    return await database[Suppression.Settings.name].count_documents(
        {"identity_hmac": {"$in": identity_hmacs}}
    )


async def rule_channels(database: Database) -> set[str]:
    """Every Slack channel a routing rule sends follow-ups to."""
    return {str(c) for c in await database[RoutingRule.Settings.name].distinct("channel_id")}


async def default_channels(database: Database) -> set[str]:
    """The default and escalation channels of the routing defaults, where set."""
    defaults = await database[RoutingDefaults.Settings.name].find_one({"key": "default"})
    return {
        str(defaults[name])
        for name in ("default_channel_id", "escalation_channel_id")
        if defaults and defaults.get(name)
    }
