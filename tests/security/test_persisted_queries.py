"""Persisted queries for the widget: a registered document runs when sent by id, an
unknown id or a text that is not the id's refuses the request, and with
HUB_WIDGET_OPERATIONS=registered a widget key can run the banner's documents and
nothing else, while other roles are untouched."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from hub.models.activity import Login
from hub.models.common import Role
from hub.services import Services
from hub.settings import Settings
from hub.web.persisted import WIDGET_DOCUMENTS, WIDGET_IDS, document_id
from tests.factories import make_survey
from tests.support.graphql import GraphQLClient
from tests.support.widget import USER

Snapshot = Callable[[], Awaitable[str]]

ELIGIBILITY = {"s": "nps-main", "u": USER, "c": "IN_APP_WEB"}
TYPENAME = "{ __typename }"
# The same question as WidgetEligibility, in another spelling.
OWN_ELIGIBILITY = """
query WidgetEligibility($s: String!, $u: UserInput!, $c: Channel!) {
  surveyEligibility(surveyKey: $s, user: $u, channel: $c) { eligible reason }
}
"""
OWN_LOGIN = "mutation Login($u: UserInput!) { recordLogin(user: $u) { __typename } }"
SURVEYS = "query ListSurveys { surveys { key } }"


@pytest.fixture
def widget_operations() -> str:
    return "any"


@pytest.fixture
def settings(settings: Settings, widget_operations: str) -> Settings:
    return settings.model_copy(update={"widget_operations": widget_operations})


def refused(body: dict[str, Any], code: str) -> str:
    assert body.get("data") is None, body
    assert [error["extensions"]["code"] for error in body["errors"]] == [code]
    message: str = body["errors"][0]["message"]
    return message


async def test_a_registered_document_runs_by_id(gql: GraphQLClient, services: Services) -> None:
    await make_survey(services)

    body = await gql.persisted(WIDGET_IDS["WidgetEligibility"], ELIGIBILITY, Role.WIDGET)

    assert body == {"data": {"surveyEligibility": {"eligible": True}}}


async def test_the_id_is_the_sha256_of_the_text() -> None:
    assert set(WIDGET_IDS) == set(WIDGET_DOCUMENTS)
    for name, text in WIDGET_DOCUMENTS.items():
        assert WIDGET_IDS[name] == document_id(text) and len(WIDGET_IDS[name]) == 64


async def test_the_text_may_come_along_if_it_is_the_registered_one(
    gql: GraphQLClient, services: Services
) -> None:
    await make_survey(services)
    text = WIDGET_DOCUMENTS["WidgetEligibility"]

    body = await gql.persisted(WIDGET_IDS["WidgetEligibility"], ELIGIBILITY, Role.WIDGET, text)

    assert body == {"data": {"surveyEligibility": {"eligible": True}}}


@pytest.mark.parametrize(
    "persisted",
    [
        {"version": 1, "sha256Hash": document_id(OWN_LOGIN)},
        {"version": 1, "sha256Hash": WIDGET_IDS["WidgetLogin"].upper()},
        {"version": 2, "sha256Hash": WIDGET_IDS["WidgetLogin"]},
        {"version": 1},
        {"version": 1, "sha256Hash": 42},
        "WidgetLogin",
    ],
    ids=["unknown", "upper case", "version 2", "no hash", "not a string", "not an object"],
)
@pytest.mark.parametrize("role", [Role.WIDGET, Role.ADMIN], ids=lambda role: role.value)
async def test_an_unknown_id_runs_nothing(
    gql: GraphQLClient, snapshot: Snapshot, persisted: object, role: Role
) -> None:
    before = await snapshot()

    body = await gql.post(
        {"query": OWN_LOGIN, "variables": {"u": USER}, "extensions": {"persistedQuery": persisted}},
        role,
    )

    assert "No registered document has this id" in refused(body, "PERSISTED_QUERY_NOT_FOUND")
    assert await snapshot() == before


async def test_a_text_that_is_not_the_ids_runs_nothing(
    gql: GraphQLClient, snapshot: Snapshot
) -> None:
    before = await snapshot()

    body = await gql.persisted(WIDGET_IDS["WidgetLogin"], {"u": USER}, Role.WIDGET, OWN_LOGIN)

    refused(body, "PERSISTED_QUERY_MISMATCH")
    assert await snapshot() == before


async def test_by_default_a_widget_key_may_send_its_own_documents(gql: GraphQLClient) -> None:
    assert await gql.ok(TYPENAME, role=Role.WIDGET) == {"__typename": "Query"}


@pytest.mark.parametrize("widget_operations", ["registered"])
class TestOnlyRegisteredDocuments:
    @pytest.mark.parametrize(
        ("query", "variables"),
        [(TYPENAME, {}), (OWN_ELIGIBILITY, ELIGIBILITY), (OWN_LOGIN, {"u": USER})],
        ids=["typename", "own eligibility", "own login"],
    )
    async def test_a_widget_key_may_not_send_its_own(
        self,
        gql: GraphQLClient,
        services: Services,
        snapshot: Snapshot,
        query: str,
        variables: dict[str, Any],
    ) -> None:
        await make_survey(services)
        before = await snapshot()

        message = refused(await gql.raw(query, variables, Role.WIDGET), "FORBIDDEN")

        assert "HUB_WIDGET_OPERATIONS" in message
        assert await snapshot() == before

    async def test_nor_one_that_does_not_validate(self, gql: GraphQLClient) -> None:
        # The validation errors would name fields; the refusal names none.
        body = await gql.raw("{ surveyz { key } }", role=Role.WIDGET)

        assert "surveys" not in refused(body, "FORBIDDEN")

    async def test_the_registered_ones_run_by_id_or_in_full(
        self, gql: GraphQLClient, services: Services
    ) -> None:
        await make_survey(services)

        login = await gql.persisted(WIDGET_IDS["WidgetLogin"], {"u": USER}, Role.WIDGET)
        by_id = await gql.persisted(WIDGET_IDS["WidgetEligibility"], ELIGIBILITY, Role.WIDGET)
        in_full = await gql.ok(WIDGET_DOCUMENTS["WidgetEligibility"], ELIGIBILITY, Role.WIDGET)

        assert login == {"data": {"recordLogin": {"__typename": "LoginRecorded"}}}
        assert await Login.count() == 1
        assert by_id["data"] == in_full == {"surveyEligibility": {"eligible": True}}

    @pytest.mark.parametrize("role", [Role.ADMIN, Role.VIEWER], ids=lambda role: role.value)
    async def test_other_roles_are_unaffected(
        self, gql: GraphQLClient, services: Services, role: Role
    ) -> None:
        await make_survey(services)

        assert await gql.ok(TYPENAME, role=role) == {"__typename": "Query"}
        assert await gql.ok(SURVEYS, role=role) == {"surveys": [{"key": "nps-main"}]}

    async def test_callers_without_a_key_are_unaffected(self, gql: GraphQLClient) -> None:
        assert await gql.ok(TYPENAME) == {"__typename": "Query"}
