"""Themes through GraphQL: admins define them, every reader sees them and the re-tag
jobs' progress; bad input gets its typed error and changes nothing; other roles are
refused."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.applications import Starlette

from hub.models.common import Role
from hub.models.response import Response
from hub.models.theme import Theme, ThemeJob
from hub.services import Services
from tests.support.graphql import GraphQLClient
from tests.support.waiting import eventually
from tests.support.widget import Widget

CREATE = """
mutation Create($input: CreateThemeInput!) {
  createTheme(input: $input) {
    __typename
    ... on Theme { key name description version rules { language terms exclusions } }
    ... on UserError { message code field }
  }
}
"""

UPDATE = """
mutation Update($key: String!, $input: UpdateThemeInput!) {
  updateTheme(key: $key, input: $input) {
    __typename
    ... on Theme { key name version rules { terms } }
    ... on UserError { message code field }
  }
}
"""

DELETE = """
mutation Delete($key: String!) {
  deleteTheme(key: $key) {
    __typename ... on ThemeDeleted { key } ... on UserError { message code field }
  }
}
"""

THEMES = "query { themes { key name version rules { language terms } } }"

JOBS = """
query { themeJobs(first: 5) { theme change status total processed changed finishedAt } }
"""

BILLING: dict[str, Any] = {
    "name": "Billing",
    "description": "Invoices and payments.",
    "rules": [
        {"language": "en", "terms": ["invoice", "billing"], "exclusions": ["no invoice"]},
        {"language": "es", "terms": ["factura"]},
    ],
}


def billing(**changes: Any) -> dict[str, Any]:
    return {"input": {**BILLING, **changes}}


async def counts() -> tuple[int, int]:
    return await Theme.count(), await ThemeJob.count()


async def test_an_admin_defines_a_theme_and_readers_see_it(gql: GraphQLClient) -> None:
    created = (await gql.ok(CREATE, billing(), Role.ADMIN))["createTheme"]

    assert created == {
        "__typename": "Theme",
        "key": "billing",
        "name": "Billing",
        "description": "Invoices and payments.",
        "version": 1,
        "rules": [
            {"language": "en", "terms": ["invoice", "billing"], "exclusions": ["no invoice"]},
            {"language": "es", "terms": ["factura"], "exclusions": []},
        ],
    }
    for role in (Role.VIEWER, Role.AGENT, Role.PRIVACY_OFFICER):
        assert [t["key"] for t in (await gql.ok(THEMES, role=role))["themes"]] == ["billing"]
        assert len((await gql.ok(JOBS, role=role))["themeJobs"]) == 1


async def test_other_roles_may_not_change_themes(gql: GraphQLClient) -> None:
    await gql.ok(CREATE, billing(), Role.ADMIN)
    before = await counts()

    for role in (Role.VIEWER, Role.AGENT, Role.PRIVACY_OFFICER, Role.WIDGET):
        assert await gql.error_code(CREATE, billing(name="Other"), role) == "FORBIDDEN"
        assert await gql.error_code(DELETE, {"key": "billing"}, role) == "FORBIDDEN"
    assert await gql.error_code(THEMES, role=Role.WIDGET) == "FORBIDDEN"
    assert await gql.error_code(JOBS) == "UNAUTHENTICATED"
    assert await counts() == before


BAD_INPUT = [
    (billing(rules=[]), "ValidationError", "RULE_EMPTY"),
    (billing(rules=[{"language": "en", "terms": [""]}]), "ValidationError", "RULE_EMPTY"),
    (
        billing(rules=[{"language": "de", "terms": ["Rechnung"]}]),
        "ValidationError",
        "UNSUPPORTED_LANGUAGE",
    ),
    (billing(rules=[{"language": "en", "terms": ["(a+)+$"]}]), "ValidationError", "INVALID_INPUT"),
    (billing(name="SPEED"), "ConflictError", "DUPLICATE_KEY"),
    (billing(name="Speed ", key="other"), "ConflictError", "DUPLICATE_KEY"),
    (billing(key="speed"), "ConflictError", "DUPLICATE_KEY"),
]


@pytest.mark.parametrize(("variables", "kind", "code"), BAD_INPUT)
async def test_bad_input_gets_its_typed_error_and_changes_nothing(
    gql: GraphQLClient, variables: dict[str, Any], kind: str, code: str
) -> None:
    speed = {"name": "Speed", "rules": [{"language": "en", "terms": ["slow"]}]}
    await gql.ok(CREATE, {"input": speed}, Role.ADMIN)
    before = await counts()

    answer = (await gql.ok(CREATE, variables, Role.ADMIN))["createTheme"]

    assert (answer["__typename"], answer["code"]) == (kind, code)
    assert answer["field"]
    assert await counts() == before


async def test_updates_and_deletes_of_unknown_or_bad_themes_change_nothing(
    gql: GraphQLClient,
) -> None:
    await gql.ok(CREATE, billing(), Role.ADMIN)
    before = await counts()

    missing = await gql.ok(UPDATE, {"key": "nope", "input": {"name": "X"}}, Role.ADMIN)
    empty = await gql.ok(UPDATE, {"key": "billing", "input": {"rules": []}}, Role.ADMIN)
    gone = await gql.ok(DELETE, {"key": "nope"}, Role.ADMIN)

    assert (missing["updateTheme"]["code"], missing["updateTheme"]["field"]) == ("NOT_FOUND", "key")
    assert empty["updateTheme"]["code"] == "RULE_EMPTY"
    assert gone["deleteTheme"]["__typename"] == "NotFoundError"
    assert await counts() == before


async def test_comments_are_tagged_and_an_edit_retags_them_with_progress(
    app: Starlette, gql: GraphQLClient
) -> None:
    services: Services = app.state.services
    widget = Widget(services)
    late = await widget.answer(3, comment="The invoice came late.")
    receipt = await widget.answer(9, comment="A receipt, thanks.")

    await gql.ok(CREATE, billing(), Role.ADMIN)
    await eventually(lambda: job_done(gql))
    assert [await theme_keys(r) for r in (late, receipt)] == [["billing"], []]
    fresh = await widget.answer(5, comment="Billing is confusing.")
    await eventually(lambda: tagged(fresh))

    rules = [{"language": "en", "terms": ["receipt"]}]
    updated = await gql.ok(UPDATE, {"key": "billing", "input": {"rules": rules}}, Role.ADMIN)
    assert updated["updateTheme"]["version"] == 2
    await eventually(lambda: job_done(gql))

    [job, *_] = (await gql.ok(JOBS, role=Role.VIEWER))["themeJobs"]
    assert (job["change"], job["status"], job["processed"], job["total"], job["changed"]) == (
        "UPDATED",
        "DONE",
        3,
        3,
        3,
    )
    assert [await theme_keys(r) for r in (late, receipt, fresh)] == [[], ["billing"], []]

    assert (await gql.ok(DELETE, {"key": "billing"}, Role.ADMIN))["deleteTheme"] == {
        "__typename": "ThemeDeleted",
        "key": "billing",
    }
    await eventually(lambda: job_done(gql))
    assert await theme_keys(receipt) == []


async def job_done(gql: GraphQLClient) -> bool:
    jobs = (await gql.ok(JOBS, role=Role.VIEWER))["themeJobs"]
    return bool(jobs) and jobs[0]["status"] == "DONE"


async def theme_keys(response: Response) -> list[str]:
    found = await Response.get(response.id)
    assert found is not None
    return [tag.theme for tag in found.themes]


async def tagged(response: Response) -> bool:
    found = await Response.get(response.id)
    return found is not None and not found.themes_pending
