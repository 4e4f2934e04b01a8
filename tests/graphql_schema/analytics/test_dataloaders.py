"""Relation fields load through DataLoaders: a page of responses costs the same few
database commands whatever its size, counted with PyMongo command monitoring."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, cast

import pytest

from graphql_schema.context import Context
from graphql_schema.schema import build_schema
from hub.db import Database
from hub.models.common import Metric, Role
from hub.models.response import Response
from hub.services import Services
from tests.factories import insert_responses, make_survey
from tests.support.commands import CommandCounter, counting_commands

PAGE = """
query Page($first: Int!) {
  responses(first: $first) {
    totalCount
    edges { node { score user { masked } survey { key metric texts { locale } } } }
  }
}
"""


@pytest.fixture
async def counter(mongo_uri: str, database: Database) -> AsyncIterator[CommandCounter]:
    """Models bound, for this test, through a client that counts its commands."""
    async with counting_commands(mongo_uri, database) as counting:
        yield counting


async def test_a_page_of_100_costs_as_many_commands_as_a_page_of_10(
    counter: CommandCounter, services: Services
) -> None:
    keys = [f"survey-{number}" for number in range(5)]
    for key in keys:
        await make_survey(services, key=key, metric=Metric.NPS)
    await insert_responses(keys, Metric.NPS, 150)
    schema = build_schema(services.settings)
    _, token = await services.keys.create(Role.VIEWER, "dashboard")
    await services.keys.authenticate(token)  # the key is cached from here on

    async def commands_for(first: int) -> list[str]:
        context = Context(request=cast(Any, None), response=None, services=services, token=token)
        counter.commands.clear()
        result = await schema.execute(PAGE, {"first": first}, context_value=context)
        assert result.errors is None, result.errors
        assert result.data is not None
        edges = result.data["responses"]["edges"]
        assert len(edges) == first
        assert {edge["node"]["survey"]["key"] for edge in edges} == set(keys)
        return list(counter.commands)

    small = await commands_for(10)
    large = await commands_for(100)

    assert large == small
    # Count, the page itself, and one `$in` query for all the surveys.
    assert len(large) <= 3, large


COMMENTS = """
query Page($first: Int!) {
  responses(first: $first, filter: {hasComment: true}) {
    edges { node { comment user { masked } } }
  }
}
"""


async def test_masking_the_comments_of_a_page_costs_the_same_for_10_or_50(
    counter: CommandCounter, services: Services
) -> None:
    await make_survey(services, key="nps-main", metric=Metric.NPS)
    await insert_responses(["nps-main"], Metric.NPS, 60)
    collection = Response.get_pymongo_collection()
    async for raw in collection.find({}, projection={"user.username": 1}):
        comment = f"Ask {raw['user']['username']} or person3"
        await collection.update_one({"_id": raw["_id"]}, {"$set": {"comment": comment}})
    schema = build_schema(services.settings)
    _, token = await services.keys.create(Role.VIEWER, "dashboard")
    await services.keys.authenticate(token)

    async def commands_for(first: int) -> list[str]:
        context = Context(request=cast(Any, None), response=None, services=services, token=token)
        counter.commands.clear()
        result = await schema.execute(COMMENTS, {"first": first}, context_value=context)
        assert result.errors is None, result.errors
        assert result.data is not None
        edges = result.data["responses"]["edges"]
        assert len(edges) == first
        assert {edge["node"]["comment"] for edge in edges} == {"Ask [user] or [user]"}
        return list(counter.commands)

    small = await commands_for(10)
    large = await commands_for(50)

    assert large == small
