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


# A String argument must be well-formed text: no lone surrogate anywhere, and no control
# character but in free text (comments, notes, reasons, survey texts), which may hold
# tabs and line breaks. The answer names the argument's path and nothing is written.
SURROGATE = "x\ud800y"
TEXT_CALLS: list[tuple[str, str, Role, str]] = [
    (
        "surveyEligibility",
        """query($t: String!) { surveyEligibility(surveyKey: $t, user: {id: "u1"},
           channel: IN_APP_WEB) { eligible } }""",
        Role.WIDGET,
        "surveyKey",
    ),
    ("survey", "query($t: String!) { survey(key: $t) { key } }", Role.VIEWER, "key"),
    (
        "followUps",
        "query($t: String!) { followUps(claimedBy: $t) { totalCount } }",
        Role.AGENT,
        "claimedBy",
    ),
    (
        "updateSurvey",
        """mutation($t: String!) { updateSurvey(key: "nps-main", input: {product: $t}) {
           __typename ... on UserError { code field } } }""",
        Role.ADMIN,
        "input.product",
    ),
    (
        "setSurveyStatus",
        """mutation($t: String!) { setSurveyStatus(key: $t, status: PAUSED) {
           __typename ... on UserError { code field } } }""",
        Role.ADMIN,
        "key",
    ),
    (
        "pauseSurvey",
        """mutation($t: String!) { pauseSurvey(key: $t) {
           __typename ... on UserError { code field } } }""",
        Role.ADMIN,
        "key",
    ),
    (
        "recordDisplay",
        """mutation($t: String!) { recordDisplay(surveyKey: "nps-main", user: {id: $t},
           channel: IN_APP_WEB) { __typename ... on UserError { code field } } }""",
        Role.WIDGET,
        "user.id",
    ),
    (
        "sendSurveyInvitations",
        """mutation($t: String!) { sendSurveyInvitations(surveyKey: "nps-main",
           recipients: [{id: "a", email: "a@example.org"}, {id: "b", email: $t}]) {
           __typename ... on UserError { code field } } }""",
        Role.ADMIN,
        "recipients.1.email",
    ),
    (
        "updateSurvey texts",
        """mutation($t: String!) { updateSurvey(key: "nps-main", input: {texts: [{locale: "en",
           question: "Q?", followUp: $t, thankYou: "Thanks"}]}) {
           __typename ... on UserError { code field } } }""",
        Role.ADMIN,
        "input.texts.0.followUp",
    ),
]


def text_error(body: dict[str, Any]) -> tuple[str, str | None]:
    """The code and field of a refused call: a union's error member, or a top-level error."""
    if body.get("errors"):
        extensions = body["errors"][0].get("extensions", {})
        return extensions.get("code"), extensions.get("field")
    (result,) = body["data"].values()
    assert result["__typename"] == "ValidationError", result
    return result["code"], result["field"]


async def refused_and_unchanged(
    gql: GraphQLClient,
    snapshot: Callable[[], Awaitable[str]],
    document: str,
    text: str,
    role: Role,
) -> tuple[str, str | None]:
    before = await snapshot()
    body = await gql.raw(document, {"t": text}, role)
    assert await snapshot() == before
    return text_error(body)


@pytest.mark.parametrize(
    ("document", "role", "field"), [c[1:] for c in TEXT_CALLS], ids=[c[0] for c in TEXT_CALLS]
)
async def test_a_lone_surrogate_is_a_validation_error_naming_the_argument(
    document: str,
    role: Role,
    field: str,
    services: Services,
    gql: GraphQLClient,
    snapshot: Callable[[], Awaitable[str]],
) -> None:
    await make_survey(services)

    refused = await refused_and_unchanged(gql, snapshot, document, SURROGATE, role)

    assert refused == ("INVALID_INPUT", field)


@pytest.mark.parametrize(
    "text",
    ["\udfff", "nps\x07main", "two\nlines", "tab\tbed", "nul\x00", "del\x7f", "c1\x85"],
    ids=["lone-low-surrogate", "bell", "line-break", "tab", "nul", "delete", "c1-control"],
)
async def test_single_line_arguments_refuse_any_control_character(
    text: str, services: Services, gql: GraphQLClient, snapshot: Callable[[], Awaitable[str]]
) -> None:
    await make_survey(services)
    _, display, role, field = TEXT_CALLS[6]
    _, texts, _, text_field = TEXT_CALLS[8]

    in_a_key = await refused_and_unchanged(gql, snapshot, display, text, role)

    assert in_a_key == ("INVALID_INPUT", field)
    if text in ("two\nlines", "tab\tbed"):  # free text may hold these
        updated = await gql.ok(texts, {"t": text}, Role.ADMIN)
        assert updated["updateSurvey"]["__typename"] == "Survey"
    else:
        in_free_text = await refused_and_unchanged(gql, snapshot, texts, text, Role.ADMIN)
        assert in_free_text == ("INVALID_INPUT", text_field)


async def test_free_text_keeps_tabs_and_line_breaks_but_no_other_control_characters(
    services: Services, gql: GraphQLClient, snapshot: Callable[[], Awaitable[str]]
) -> None:
    await make_survey(services)
    display = await services.responses.record_display(
        "nps-main", person(1), Channel.IN_APP_WEB, context(), "en"
    )
    response = await services.responses.submit_score(str(display.id), 5)
    comment = """mutation($id: ID!, $c: String!) { submitComment(responseId: $id, comment: $c) {
                 __typename ... on UserError { code field } } }"""
    before = await snapshot()

    refused = await gql.raw(comment, {"id": str(response.id), "c": "ok\x1b[31m"}, Role.WIDGET)
    unchanged = await snapshot()
    kept = await gql.ok(comment, {"id": str(response.id), "c": "one\ttwo\r\nthree"}, Role.WIDGET)

    assert text_error(refused) == ("INVALID_INPUT", "comment")
    assert unchanged == before
    assert kept["submitComment"]["__typename"] == "CommentSubmitted"
    stored = await Response.get(response.id)
    assert stored is not None and stored.comment is not None
    assert "one\ttwo" in stored.comment and "three" in stored.comment
