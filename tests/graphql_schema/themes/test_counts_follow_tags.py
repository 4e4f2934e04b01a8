"""The whole way round with the hub's own workers: a comment written through the
widget is tagged by the tagger, counted by the theme analytics, and counted again
differently once an edit of the theme re-tags it; a deleted theme leaves no mention."""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette

from hub.models.common import Role
from hub.services import Services
from tests.support.graphql import GraphQLClient
from tests.support.waiting import eventually
from tests.support.widget import Widget

CREATE = """
mutation Create($input: CreateThemeInput!) {
  createTheme(input: $input) { __typename ... on UserError { code field } }
}
"""
UPDATE = """
mutation Update($key: String!, $input: UpdateThemeInput!) {
  updateTheme(key: $key, input: $input) { __typename ... on UserError { code field } }
}
"""
DELETE = """
mutation Delete($key: String!) { deleteTheme(key: $key) { __typename } }
"""
SUMMARY = "query { themeSummary(filter: {}) { key mentions comments } }"
JOBS = "query { themeJobs(first: 1) { status } }"


async def mentions(gql: GraphQLClient) -> dict[str, tuple[int, int]]:
    summary = (await gql.ok(SUMMARY, role=Role.VIEWER))["themeSummary"]
    return {theme["key"]: (theme["mentions"], theme["comments"]) for theme in summary}


async def settled(gql: GraphQLClient, expected: dict[str, tuple[int, int]]) -> bool:
    jobs = (await gql.ok(JOBS, role=Role.VIEWER))["themeJobs"]
    return jobs[0]["status"] == "DONE" and await mentions(gql) == expected


async def test_mentions_follow_the_tagger_and_the_retag_jobs(
    app: Starlette, gql: GraphQLClient
) -> None:
    services: Services = app.state.services
    widget = Widget(services)
    rules: dict[str, Any] = {"language": "en", "terms": ["invoice"]}
    created = await gql.ok(CREATE, {"input": {"name": "Billing", "rules": [rules]}}, Role.ADMIN)
    assert created["createTheme"]["__typename"] == "Theme"

    await widget.answer(2, comment="The invoice was wrong.")
    await widget.answer(9, comment="Invoices arrive on time.")
    await widget.answer(7, comment="A receipt would help.")
    await eventually(lambda: settled(gql, {"billing": (2, 3)}))

    receipts: dict[str, Any] = {"rules": [{"language": "en", "terms": ["receipt"]}]}
    updated = await gql.ok(UPDATE, {"key": "billing", "input": receipts}, Role.ADMIN)
    assert updated["updateTheme"]["__typename"] == "Theme"
    await eventually(lambda: settled(gql, {"billing": (1, 3)}))

    # The same rules again change nothing, and count nothing twice.
    await gql.ok(UPDATE, {"key": "billing", "input": receipts}, Role.ADMIN)
    await widget.answer(4, comment="No receipt again.")
    await eventually(lambda: settled(gql, {"billing": (2, 4)}))

    await gql.ok(DELETE, {"key": "billing"}, Role.ADMIN)
    await eventually(lambda: settled(gql, {}))
