"""Who may read the schema (HUB_INTROSPECTION): by default any valid token, of any
role; strangers get a typed error and no schema data. `__typename` is not
introspection and works for everyone."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from graphql import get_introspection_query

from hub.models.common import Role
from hub.services import Services
from hub.settings import Settings
from tests.support.graphql import GraphQLClient

SCHEMA = "query { __schema { queryType { name } } }"
TYPE = 'query { __type(name: "Survey") { name fields { name } } }'
IN_A_FRAGMENT = "query { ...Root } fragment Root on Query { __schema { types { name } } }"
BESIDE_A_FIELD = 'query { __typename __type(name: "Query") { name } }'
TYPENAME = "query { __typename }"
# What GraphiQL asks for when it opens.
GRAPHIQL = get_introspection_query(descriptions=True, input_value_deprecation=True)

ASKING_FOR_THE_SCHEMA = [SCHEMA, TYPE, IN_A_FRAGMENT, BESIDE_A_FIELD]


@pytest.fixture
def introspection() -> str:
    return "authenticated"


@pytest.fixture
def settings(settings: Settings, introspection: str) -> Settings:
    return settings.model_copy(update={"introspection": introspection})


def refused(body: dict[str, Any], code: str) -> None:
    assert body.get("data") is None, body
    assert [error["extensions"]["code"] for error in body["errors"]] == [code]
    assert "queryType" not in str(body) and "Survey" not in str(body)


@pytest.mark.parametrize("query", ASKING_FOR_THE_SCHEMA)
@pytest.mark.parametrize("token", [None, "fh_not-a-key"], ids=["no token", "unknown token"])
async def test_strangers_may_not_read_the_schema(
    gql: GraphQLClient, query: str, token: str | None
) -> None:
    refused(await gql.raw(query, token=token), "UNAUTHENTICATED")


async def test_nor_over_get(http: httpx.AsyncClient) -> None:
    answer = await http.get("/graphql", params={"query": SCHEMA})

    refused(answer.json(), "UNAUTHENTICATED")


async def test_a_revoked_key_may_not_read_the_schema(
    gql: GraphQLClient, services: Services
) -> None:
    key, token = await services.keys.create(Role.VIEWER, "gone")
    await services.keys.revoke(str(key.id))

    refused(await gql.raw(SCHEMA, token=token), "UNAUTHENTICATED")


@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.value)
async def test_any_valid_token_reads_the_schema_as_graphiql_asks(
    gql: GraphQLClient, role: Role
) -> None:
    data = await gql.ok(GRAPHIQL, role=role)

    assert data["__schema"]["queryType"]["name"] == "Query"


async def test_typename_is_not_introspection(gql: GraphQLClient) -> None:
    assert (await gql.raw(TYPENAME))["data"] == {"__typename": "Query"}


@pytest.mark.parametrize("introspection", ["public"])
async def test_public_schema_for_everyone(gql: GraphQLClient) -> None:
    data = (await gql.raw(GRAPHIQL))["data"]

    assert data["__schema"]["queryType"]["name"] == "Query"


@pytest.mark.parametrize("introspection", ["off"])
async def test_off_for_every_role(gql: GraphQLClient, http: httpx.AsyncClient) -> None:
    for query in ASKING_FOR_THE_SCHEMA:
        refused(await gql.raw(query, role=Role.ADMIN), "FORBIDDEN")
    assert (await gql.raw(TYPENAME))["data"] == {"__typename": "Query"}
    # And without introspection GraphiQL could do nothing: it is not served.
    page = await http.get("/graphql", headers={"accept": "text/html"})
    assert page.status_code == 404
    assert "graphiql" not in page.text.lower()


@pytest.mark.parametrize("introspection", ["authenticated", "public"])
async def test_graphiql_is_served_where_the_schema_can_be_read(http: httpx.AsyncClient) -> None:
    page = await http.get("/graphql", headers={"accept": "text/html"})

    assert page.status_code == 200
    assert "graphiql" in page.text.lower()


def test_the_setting_takes_only_the_three_values() -> None:
    with pytest.raises(ValueError, match="introspection"):
        Settings(_env_file=None, introspection="sometimes")
