"""The widget's calls cost the database round trips they need and no more: counted
with PyMongo command monitoring over the GraphQL endpoint, caches warm (the widget
key, the survey, the routing rules), each count fixed as an upper bound. What the
analytics domain writes for a call (its change of the rollups, the live event) is in
the count: it goes in the call's batch of writes."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import AsyncIterator

import pytest

import hub.services.analytics.stores as analytics_stores
from hub.db import Database
from hub.services import Services
from hub.services.platform.store import CollectionStore
from hub.settings import Settings
from tests.factories import make_survey
from tests.support.commands import CommandCounter, counting_commands
from tests.support.graphql import GraphQLClient
from tests.support.widget import USER, comment, score, show

# The commands of each call, where the bound comes from. A call reads what it decides
# on (in its transaction when a write depends on it: a write that commits between the
# read and the call's own write of the same document conflicts, and the transaction
# runs again); its writes go to the server together, in one `bulkWrite` before the
# commit (`hub.batch.Batch`); the analytics' change of the rollups and the live event
# among them.
# recordDisplay: the suppression list, the person's contact states (the warm-up rules,
# which need the person's logins, are not set), then the transaction: the display, the
# contact state (an upsert that collides if somebody showed the survey since), the
# person and the rollup change together, the commit.
DISPLAY_BOUND = 4
# submitScore: the transaction: the display; the display linked, the response, contact
# state, live event and rollup change together; the commit.
SCORE_BOUND = 3
# submitComment: the transaction: the response, the suppression list; the comment, the
# follow-up, its Slack post, live event and rollup change together; the commit; routing
# is cached.
COMMENT_BOUND = 4
# What each call's bulkWrite writes.
BATCHED = {
    "display": {"displays", "contact_states", "people", "rollup_changes"},
    "score": {"displays", "responses", "contact_states", "live_events", "rollup_changes"},
    "comment": {"responses", "follow_ups", "outbox", "live_events", "rollup_changes"},
}
# No call sends a findAndModify: the embedded database answers it in time that grows
# with the collection (see `CollectionStore.update_then_read`).


def _analytics_collections() -> set[str]:
    """The collections the analytics domain's stores hold."""
    names: set[str] = set()
    for found in pkgutil.iter_modules(analytics_stores.__path__):
        module = importlib.import_module(f"{analytics_stores.__name__}.{found.name}")
        for value in vars(module).values():
            stores = value.values() if isinstance(value, dict) else [value]
            names |= {store.name for store in stores if isinstance(store, CollectionStore)}
    return names


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """No background workers: the rollup folder, woken by each call's commit, would
    send its own commands while the next call is counted."""
    return settings.model_copy(update={"background_workers": False})


@pytest.fixture
async def counter(mongo_uri: str, database: Database) -> AsyncIterator[CommandCounter]:
    async with counting_commands(mongo_uri, database) as counting:
        yield counting


async def test_each_widget_call_makes_only_the_round_trips_it_needs(
    services: Services, gql: GraphQLClient, counter: CommandCounter
) -> None:
    await make_survey(services)
    await services.routing.set_defaults("CROUTED", None)
    analytics = _analytics_collections()
    assert {"rollups_daily", "rollups_hourly", "rollups_slots"} <= analytics

    batched: dict[str, set[str]] = {}

    async def flow(user_id: str) -> list[list[tuple[str, str | None]]]:
        calls = []

        def done(name: str) -> None:
            calls.append(list(counter.targets))
            batched[name] = set(counter.bulk_collections)
            counter.clear()

        counter.clear()
        shown = await show(gql, user={**USER, "id": user_id})
        done("display")
        scored = await score(gql, shown["displayId"], 9)
        done("score")
        commented = await comment(gql, scored["responseId"], "Fast invoicing.")
        done("comment")
        assert commented["__typename"] == "CommentSubmitted"
        return calls

    await flow("warm-up")  # the widget key, the survey and the routing now cached
    display, scored, commented = await flow("counted")

    assert len(display) <= DISPLAY_BOUND, display
    assert len(scored) <= SCORE_BOUND, scored
    assert len(commented) <= COMMENT_BOUND, commented
    assert batched == BATCHED
    # The analytics write only within the batch: no command of their own on the way.
    assert all(collection not in analytics for _, collection in display + scored + commented)
    assert all(name != "findAndModify" for name, _ in display + scored + commented)
    # Nothing a cache answers is read again: the key, the survey, the routing.
    everything = display + scored + commented
    for cached in ("api_keys", "surveys", "routing_rules", "routing_defaults"):
        assert all(collection != cached for _, collection in everything), everything
