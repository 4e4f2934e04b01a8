"""Every list that can grow (responses, follow-ups, rights requests, the audit log,
deliveries) is a relay connection paged the same way: `first` at a time after a
cursor, never repeating or skipping, at most HUB_MAX_PAGE_SIZE, and a larger page is
refused with the same error."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from hub.clock import FrozenClock
from hub.models.common import Role
from hub.services import Services
from tests.graphql_schema.followups.test_followups import commented
from tests.support.graphql import GraphQLClient, nodes

FOLLOW_UPS = """
query Page($first: Int!, $after: String) {
  followUps(first: $first, after: $after) {
    edges { cursor node { score } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    totalCount
  }
}"""
RIGHTS = """
query Page($first: Int!, $after: String) {
  rightsRequests(first: $first, after: $after) {
    edges { cursor node { id dueOn } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    totalCount
  }
}"""
AUDIT = """
query Page($first: Int!, $after: String) {
  auditLog(first: $first, after: $after) {
    edges { cursor node { seq } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    totalCount
  }
}"""
RESPONSES = """
query Page($first: Int!, $after: String) {
  responses(first: $first, after: $after) {
    edges { cursor node { id } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    totalCount
  }
}"""
DELIVERIES = """
query Page($first: Int!, $after: String) {
  deliveries(first: $first, after: $after) {
    edges { cursor node { id } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    totalCount
  }
}"""
# Each connection with the role that reads it.
CONNECTIONS = {
    "responses": (RESPONSES, Role.VIEWER),
    "followUps": (FOLLOW_UPS, Role.AGENT),
    "rightsRequests": (RIGHTS, Role.PRIVACY_OFFICER),
    "auditLog": (AUDIT, Role.PRIVACY_OFFICER),
    "deliveries": (DELIVERIES, Role.ADMIN),
}
FILE = """
mutation File($input: FileRightsRequestInput!) {
  fileRightsRequest(input: $input) { __typename ... on RightsRequest { id } }
}"""


async def all_pages(
    gql: GraphQLClient, query: str, field: str, role: Role, first: int
) -> list[dict[str, Any]]:
    """Every page of a connection, `first` at a time; checks the page info on the way."""
    pages: list[dict[str, Any]] = []
    after: str | None = None
    while True:
        page = (await gql.ok(query, {"first": first, "after": after}, role))[field]
        pages.append(page)
        info = page["pageInfo"]
        if page["edges"]:
            assert info["startCursor"] == page["edges"][0]["cursor"]
            assert info["endCursor"] == page["edges"][-1]["cursor"]
        assert info["hasPreviousPage"] is False  # paging runs forwards only
        if not page["pageInfo"]["hasNextPage"]:
            return pages
        after = page["pageInfo"]["endCursor"]


async def file_request(gql: GraphQLClient, number: int) -> str:
    variables = {
        "input": {
            "type": "ACCESS",
            "email": f"person{number}@example.org",
            "verificationNote": "Checked the contract.",
        }
    }
    filed = (await gql.ok(FILE, variables, Role.PRIVACY_OFFICER))["fileRightsRequest"]
    assert filed["__typename"] == "RightsRequest"
    request_id: str = filed["id"]
    return request_id


async def test_follow_ups_are_paged_oldest_first(gql: GraphQLClient, services: Services) -> None:
    for number, score in enumerate([1, 2, 3, 4, 5], start=1):
        await commented(services, number, score)

    pages = await all_pages(gql, FOLLOW_UPS, "followUps", Role.AGENT, first=2)

    assert [[node["score"] for node in nodes(page)] for page in pages] == [[1, 2], [3, 4], [5]]
    assert {page["totalCount"] for page in pages} == {5}
    assert pages[-1]["pageInfo"]["hasNextPage"] is False


async def test_rights_requests_due_the_same_day_are_paged_without_repeats(
    gql: GraphQLClient, clock: FrozenClock
) -> None:
    # Three filed at the same instant (same due date, same receipt time), one later
    clock.set(datetime(2026, 3, 2, 9, tzinfo=UTC))
    same_day = [await file_request(gql, number) for number in (1, 2, 3)]
    clock.set(datetime(2026, 3, 9, 9, tzinfo=UTC))
    later = await file_request(gql, 4)

    pages = await all_pages(gql, RIGHTS, "rightsRequests", Role.PRIVACY_OFFICER, first=1)

    ids = [node["id"] for page in pages for node in nodes(page)]
    assert len(ids) == 4 and len(pages) == 4
    assert sorted(ids[:3]) == sorted(same_day) and ids[3] == later
    assert [node["dueOn"] for page in pages for node in nodes(page)] == [
        "2026-04-02",
        "2026-04-02",
        "2026-04-02",
        "2026-04-09",
    ]


async def test_audit_log_is_paged_newest_first(gql: GraphQLClient) -> None:
    for number in range(3):
        await file_request(gql, number)

    pages = await all_pages(gql, AUDIT, "auditLog", Role.PRIVACY_OFFICER, first=2)

    seqs = [node["seq"] for page in pages for node in nodes(page)]
    assert seqs == sorted(seqs, reverse=True) and len(seqs) == len(set(seqs)) == 3
    assert [len(page["edges"]) for page in pages] == [2, 1]


@pytest.mark.parametrize("field", CONNECTIONS)
async def test_a_page_beyond_the_setting_gets_the_same_error_from_every_list(
    gql: GraphQLClient, services: Services, field: str
) -> None:
    query, role = CONNECTIONS[field]
    limit = services.settings.max_page_size

    for first in (0, -1, limit + 1, 100_000):
        body = await gql.raw(query, {"first": first}, role)
        assert body["data"] is None
        [error] = body["errors"]
        assert error["message"] == f"first must be from 1 to {limit}."
        assert error["extensions"] == {"code": "INVALID_INPUT", "field": "first"}
        assert error["path"] == [field]
    assert (await gql.ok(query, {"first": limit}, role))[field]["edges"] == []


async def test_a_cursor_that_is_not_one_of_this_list_is_refused(
    gql: GraphQLClient, services: Services
) -> None:
    await commented(services, 1, 3)
    await file_request(gql, 1)
    audit = (await gql.ok(AUDIT, {"first": 1}, Role.PRIVACY_OFFICER))["auditLog"]
    audit_cursor = audit["pageInfo"]["endCursor"]

    for after in ("not-a-cursor", audit_cursor):
        variables = {"first": 1, "after": after}
        assert await gql.error_code(FOLLOW_UPS, variables, Role.AGENT) == "INVALID_INPUT"
        assert await gql.error_code(RIGHTS, variables, Role.PRIVACY_OFFICER) == "INVALID_INPUT"
