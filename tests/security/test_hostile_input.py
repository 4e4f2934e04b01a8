"""Hostile input: operators smuggled into values, malformed and oversized bodies,
invalid UTF-8, huge variables. Each is refused clearly or is harmless, and the hub
stays up."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from hub.models.activity import Display
from hub.models.common import Channel, Role
from hub.models.response import Response
from hub.services import Services
from tests.factories import context, make_survey, person
from tests.support.graphql import GraphQLClient

OPERATORS: list[Any] = [
    {"$ne": None},
    {"$where": "sleep(1000)"},
    {"$regex": ".*"},
    {"$gt": ""},
    {"a.b": 1},
    {"$set": {"score": 0}},
]
SHOW = """
mutation($user: UserInput!, $context: DisplayContextInput) {
  recordDisplay(surveyKey: "nps-main", user: $user, channel: IN_APP_WEB, context: $context) {
    __typename ... on UserError { code field }
  }
}
"""
RESPONSES = """
query($filter: ResponseFilter) { responses(filter: $filter, first: 10) { totalCount } }
"""


@pytest.mark.parametrize("operator", OPERATORS, ids=str)
async def test_operator_objects_are_rejected_as_values(
    operator: Any,
    services: Services,
    gql: GraphQLClient,
    snapshot: Callable[[], Awaitable[str]],
) -> None:
    await make_survey(services)
    before = await snapshot()

    as_id = await gql.raw(SHOW, {"user": {"id": operator}}, Role.WIDGET)
    as_company = await gql.raw(
        SHOW, {"user": {"id": "u1"}, "context": {"company": operator}}, Role.WIDGET
    )
    as_filter = await gql.raw(RESPONSES, {"filter": {"product": operator}}, Role.VIEWER)

    for body in (as_id, as_company, as_filter):
        assert body["data"] is None
        assert "Variable '$" in body["errors"][0]["message"]
    assert await snapshot() == before


@pytest.mark.parametrize(
    "text", ['{"$ne": null}', "$where", "a.b.c", "$regex", "^.*$", "{$gt: ''}"], ids=str
)
async def test_operator_looking_strings_are_stored_and_matched_literally(
    text: str, services: Services, gql: GraphQLClient
) -> None:
    await make_survey(services)
    shown = await gql.ok(
        SHOW, {"user": {"id": text, "username": text}, "context": {"company": text}}, Role.WIDGET
    )
    assert shown["recordDisplay"]["__typename"] == "DisplayRecorded"
    display = await Display.find_one()
    assert display is not None
    assert (display.user.id, display.user.username, display.context.company) == (text, text, text)

    body = await gql.ok(RESPONSES, {"filter": {"product": text, "surveyKeys": [text]}}, Role.VIEWER)
    assert body["responses"]["totalCount"] == 0


async def test_malformed_bodies_get_clear_errors(
    http: httpx.AsyncClient, tokens: dict[Role, str]
) -> None:
    headers = {"Authorization": f"Bearer {tokens[Role.VIEWER]}", "content-type": "application/json"}

    not_json = await http.post("/graphql", content=b"{not json", headers=headers)
    bad_utf8 = await http.post("/graphql", content=b'{"query": "\xff\xfe"}', headers=headers)
    no_query = await http.post("/graphql", json={"variables": {}}, headers=headers)
    array = await http.post("/graphql", json=[1, 2, 3], headers=headers)
    syntax = await http.post("/graphql", json={"query": "{ surveys { "}, headers=headers)

    for response in (not_json, bad_utf8, no_query, array):
        assert response.status_code == 400, response.text
        assert "Traceback" not in response.text
    assert syntax.status_code == 200
    assert syntax.json()["errors"][0]["message"].startswith("Syntax Error")
    assert (await http.get("/healthz")).status_code == 200


async def test_huge_variables_are_bounded_by_the_validation(
    services: Services, gql: GraphQLClient
) -> None:
    await make_survey(services)
    huge_id = {"user": {"id": "x" * 200_000}}

    body = await gql.raw(SHOW, huge_id, Role.WIDGET)

    assert body["data"]["recordDisplay"] == {
        "__typename": "ValidationError",
        "code": "INVALID_INPUT",
        "field": "user.id",
    }
    assert await Display.find_all().count() == 0


async def test_control_characters_are_stripped_from_comments(
    services: Services, gql: GraphQLClient
) -> None:
    await make_survey(services)
    display = await services.responses.record_display(
        "nps-main", person(1), Channel.IN_APP_WEB, context(), "en"
    )
    response = await services.responses.submit_score(str(display.id), 5)

    await services.responses.submit_comment(str(response.id), "ok\x00\x1b[31m red\u202e\nline")

    stored = await Response.find_one()
    assert stored is not None and stored.comment == "ok[31m red\u202e\nline"
