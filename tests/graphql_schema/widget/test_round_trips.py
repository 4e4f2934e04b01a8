"""The widget's calls cost the database round trips they need and no more: counted
with PyMongo command monitoring over the GraphQL endpoint, caches warm (the widget
key, the survey, the routing rules), each count fixed as an upper bound.

What the analytics domain writes for a call (today the rollup upserts after the
commit; with rollups folded in the background, whatever records the change) is left
out of the count: those commands are the analytics' own, and counted by its tests."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import AsyncIterator

import pytest

import hub.services.analytics.stores as analytics_stores
from hub.db import Database
from hub.services import Services
from hub.services.platform.store import CollectionStore
from tests.factories import make_survey
from tests.support.commands import CommandCounter, counting_commands
from tests.support.graphql import GraphQLClient
from tests.support.widget import USER, comment, score, show

# The commands of each call, where the bound comes from.
# recordDisplay: the suppression list, the person's contact states (the warm-up rules,
# which need the person's logins, are not set), then the transaction: the display,
# its contact state, the person, the commit.
DISPLAY_BOUND = 6
# submitScore: the display; then the transaction: the display linked (an update that
# matches only while the person is not restricted), the response, the contact state,
# the live event, the commit.
SCORE_BOUND = 6
# submitComment: the transaction: the comment set, the response read back, the
# suppression list, the follow-up, its Slack post queued, the live event, the commit;
# routing is cached.
COMMENT_BOUND = 7
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

    async def flow(user_id: str) -> list[list[tuple[str, str | None]]]:
        calls = []
        counter.clear()
        shown = await show(gql, user={**USER, "id": user_id})
        calls.append(list(counter.targets))
        counter.clear()
        scored = await score(gql, shown["displayId"], 9)
        calls.append(list(counter.targets))
        counter.clear()
        commented = await comment(gql, scored["responseId"], "Fast invoicing.")
        calls.append(list(counter.targets))
        assert commented["__typename"] == "CommentSubmitted"
        return calls

    await flow("warm-up")  # the widget key, the survey and the routing now cached
    display, scored, commented = [
        [sent for sent in call if sent[1] not in analytics] for call in await flow("counted")
    ]

    assert len(display) <= DISPLAY_BOUND, display
    assert len(scored) <= SCORE_BOUND, scored
    assert len(commented) <= COMMENT_BOUND, commented
    assert all(name != "findAndModify" for name, _ in display + scored + commented)
    # Nothing a cache answers is read again: the key, the survey, the routing.
    everything = display + scored + commented
    for cached in ("api_keys", "surveys", "routing_rules", "routing_defaults"):
        assert all(collection != cached for _, collection in everything), everything
