"""What `feedback-hub doctor` reads from the database. The doctor opens its own client
with a short timeout and without Beanie (it diagnoses a hub that may not start), so
these read the raw collections in the given database, through their stores."""

from __future__ import annotations

from typing import Any

from hub.db import Database
from hub.services.analytics.stores import rollup_changes, rollups
from hub.services.followups.held import SLACK_KIND_PREFIX
from hub.services.followups.stores import routing_defaults, routing_rules
from hub.services.platform.stores import outbox
from hub.services.privacy.stores import erasure_ledger, suppressions
from hub.services.stores import STORES
from hub.services.widget.stores import displays


async def anything_to_count(database: Database) -> bool:
    """Whether some display counts in the analytics."""
    return await displays.any_counted(database)


async def empty_rollup_grains(database: Database) -> list[str]:
    """The rollup collections that hold no counts at all."""
    return await rollups.empty_grains(database)


async def rollup_backlog(database: Database) -> int:
    """How many rollup changes wait to be folded into the rollups."""
    return await rollup_changes.backlog(database)


async def stored_ledger_entries(database: Database) -> set[str]:
    """The ids of the erasure ledger entries the database holds."""
    return await erasure_ledger.stored_entry_ids(database)


async def suppressed_among(database: Database, identity_hmacs: list[str]) -> int:
    """How many of these keyed hashes of identities are suppressed."""
    return await suppressions.count_suppressed(database, identity_hmacs)


async def rule_channels(database: Database) -> set[str]:
    """Every Slack channel a routing rule sends follow-ups to."""
    return await routing_rules.channels(database)


async def default_channels(database: Database) -> set[str]:
    """The default and escalation channels of the routing defaults, where set."""
    return await routing_defaults.channels(database)


async def index_keys(database: Database) -> dict[str, set[tuple[tuple[str, Any], ...]]]:
    """The keys of every index each collection has, by collection."""
    return {store.name: await store.index_keys(database) for store in STORES}


async def held_slack(database: Database) -> list[tuple[str, str, int]]:
    """Slack deliveries held for a reason a person can fix: (channel, reason, count)."""
    return [
        (str(row["_id"]["channel"]), str(row["_id"]["reason"]), int(row["count"]))
        for row in await outbox.held_groups(SLACK_KIND_PREFIX, database=database)
    ]
