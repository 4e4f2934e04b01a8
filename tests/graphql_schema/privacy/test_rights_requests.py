"""Privacy officers file, list, move and extend rights requests over GraphQL."""

from __future__ import annotations

from datetime import UTC, datetime

from hub.clock import FrozenClock
from hub.models.common import Role
from tests.support.graphql import GraphQLClient, nodes

FILE = """
mutation File($input: FileRightsRequestInput!) {
  fileRightsRequest(input: $input) {
    __typename
    ... on RightsRequest { id status dueOn subjectEmail verification verificationNote }
    ... on UserError { code field message }
  }
}"""
SET_STATUS = """
mutation Set($id: ID!, $status: RightsRequestStatus!, $reason: String) {
  setRightsRequestStatus(id: $id, status: $status, reason: $reason) {
    __typename
    ... on RightsRequest { status history { status reason } }
    ... on UserError { code field }
  }
}"""
EXTEND = """
mutation Extend($id: ID!, $reason: String!) {
  extendRightsRequest(id: $id, reason: $reason) {
    __typename
    ... on RightsRequest { dueOn extended }
    ... on UserError { code }
  }
}"""
LIST = """
query List($overdue: Boolean, $dueBefore: Date) {
  rightsRequests(overdue: $overdue, dueBefore: $dueBefore) {
    edges { node { id type overdue daysLeft } }
  }
}"""
AUDIT = """{
  auditLog { edges { node { action targetIds subjectHmacs actor { role keyId } } } }
  verifyAuditLog { ok entries }
}"""

ERASURE = {
    "type": "ERASURE",
    "email": "a@example.com",
    "userId": "user-a",
    "verificationNote": "Called back on the number in the contract.",
}


async def test_an_officer_files_and_moves_a_request(gql: GraphQLClient, clock: FrozenClock) -> None:
    clock.set(datetime(2028, 1, 31, 12, tzinfo=UTC))

    filed = (await gql.ok(FILE, {"input": ERASURE}, Role.PRIVACY_OFFICER))["fileRightsRequest"]

    assert filed["status"] == "VERIFIED" and filed["dueOn"] == "2028-02-29"
    assert filed["verification"] == "OTHER_MEANS" and filed["subjectEmail"] == "a@example.com"
    refused = (await gql.ok(SET_STATUS, {"id": filed["id"], "status": "COMPLETED"}, Role.ADMIN))[
        "setRightsRequestStatus"
    ]
    assert refused == {
        "__typename": "ConflictError",
        "code": "INVALID_TRANSITION",
        "field": "status",
    }
    no_reason = (await gql.ok(SET_STATUS, {"id": filed["id"], "status": "REJECTED"}, Role.ADMIN))[
        "setRightsRequestStatus"
    ]
    assert no_reason["code"] == "INVALID_INPUT" and no_reason["field"] == "reason"
    rejected = (
        await gql.ok(
            SET_STATUS,
            {"id": filed["id"], "status": "REJECTED", "reason": "Not a customer."},
            Role.PRIVACY_OFFICER,
        )
    )["setRightsRequestStatus"]
    assert rejected["status"] == "REJECTED"
    assert rejected["history"][-1] == {"status": "REJECTED", "reason": "Not a customer."}


async def test_bad_input_is_a_typed_error_and_files_nothing(gql: GraphQLClient) -> None:
    bad = {**ERASURE, "email": "not-an-address"}

    result = (await gql.ok(FILE, {"input": bad}, Role.PRIVACY_OFFICER))["fileRightsRequest"]

    assert result["code"] == "INVALID_EMAIL" and "not-an-address" not in result["message"]
    assert nodes((await gql.ok(LIST, {}, Role.PRIVACY_OFFICER))["rightsRequests"]) == []


async def test_overdue_and_extension(gql: GraphQLClient, clock: FrozenClock) -> None:
    clock.set(datetime(2026, 1, 31, 12, tzinfo=UTC))
    filed = (await gql.ok(FILE, {"input": ERASURE}, Role.PRIVACY_OFFICER))["fileRightsRequest"]
    clock.set(datetime(2026, 2, 20, tzinfo=UTC))
    soon = await gql.ok(LIST, {"dueBefore": "2026-03-01"}, Role.PRIVACY_OFFICER)
    assert nodes(soon["rightsRequests"])[0]["daysLeft"] == 8

    extended = await gql.ok(EXTEND, {"id": filed["id"], "reason": "Complex."}, Role.PRIVACY_OFFICER)
    assert extended["extendRightsRequest"] == {
        "__typename": "RightsRequest",
        "dueOn": "2026-04-28",
        "extended": True,
    }
    clock.set(datetime(2026, 4, 29, tzinfo=UTC))
    overdue = nodes((await gql.ok(LIST, {"overdue": True}, Role.PRIVACY_OFFICER))["rightsRequests"])
    assert overdue == [{"id": filed["id"], "type": "ERASURE", "overdue": True, "daysLeft": -1}]
    again = await gql.ok(EXTEND, {"id": filed["id"], "reason": "More."}, Role.PRIVACY_OFFICER)
    assert again["extendRightsRequest"]["code"] == "ALREADY_EXTENDED"

    audit = await gql.ok(AUDIT, role=Role.PRIVACY_OFFICER)
    assert [entry["action"] for entry in nodes(audit["auditLog"])] == [
        "rights_request.extended",
        "rights_request.filed",
    ]
    assert nodes(audit["auditLog"])[0]["actor"]["role"] == "privacy_officer"
    assert audit["verifyAuditLog"] == {"ok": True, "entries": 2}
    assert "a@example.com" not in str(audit) and "user-a" not in str(audit)


EXECUTE = """
mutation Execute($id: ID!) {
  executeRightsRequest(id: $id, allowNoMatch: true) {
    __typename
    ... on RightsRequest { status subjectEmail outcome { step collection count } }
    ... on UserError { code }
  }
}"""


async def test_executing_an_erasure_over_graphql(gql: GraphQLClient) -> None:
    # Nothing is stored about the person: executing needs the officer's acknowledgement
    filed = (await gql.ok(FILE, {"input": ERASURE}, Role.PRIVACY_OFFICER))["fileRightsRequest"]

    done = (await gql.ok(EXECUTE, {"id": filed["id"]}, Role.PRIVACY_OFFICER))[
        "executeRightsRequest"
    ]
    again = (await gql.ok(EXECUTE, {"id": filed["id"]}, Role.PRIVACY_OFFICER))[
        "executeRightsRequest"
    ]

    assert done["status"] == "COMPLETED" and done["subjectEmail"] is None
    assert {"step": "suppressed", "collection": "identities", "count": 2} in done["outcome"]
    assert again == {"__typename": "ConflictError", "code": "NOT_EXECUTABLE"}


RETENTION = """
mutation Run($dryRun: Boolean!) {
  runRetention(dryRun: $dryRun) {
    ... on RetentionReport {
      dryRun responsesAnonymised loginsDeleted activityKeptDays displaysAnonymised
      linksDeleted peopleDeleted contactStatesDeleted outboxCleared outboxDeleted outboxKeptDays
    }
  }
}"""


async def test_run_retention_over_graphql(gql: GraphQLClient) -> None:
    report = await gql.ok(RETENTION, {"dryRun": True}, Role.PRIVACY_OFFICER)

    assert report["runRetention"] == {
        "dryRun": True,
        "responsesAnonymised": 0,
        "loginsDeleted": 0,
        "activityKeptDays": 30,  # no surveys yet: the global cooldowns
        "displaysAnonymised": 0,
        "linksDeleted": 0,
        "peopleDeleted": 0,
        "contactStatesDeleted": 0,
        "outboxCleared": 0,
        "outboxDeleted": 0,
        "outboxKeptDays": 30,
    }


OPEN_LIST = """
query Open($open: Boolean, $status: RightsRequestStatus) {
  rightsRequests(open: $open, status: $status) { totalCount edges { node { id status } } }
}"""


async def test_open_keeps_the_requests_still_to_answer(gql: GraphQLClient) -> None:
    officer = Role.PRIVACY_OFFICER
    done = (await gql.ok(FILE, {"input": ERASURE}, officer))["fileRightsRequest"]["id"]
    await gql.ok(SET_STATUS, {"id": done, "status": "REJECTED", "reason": "Not ours."}, officer)
    waiting = (await gql.ok(FILE, {"input": ERASURE}, officer))["fileRightsRequest"]["id"]

    still_open = await gql.ok(OPEN_LIST, {"open": True}, officer)
    closed = await gql.ok(OPEN_LIST, {"open": False}, officer)
    rejected_and_open = await gql.ok(OPEN_LIST, {"open": True, "status": "REJECTED"}, officer)
    everything = await gql.ok(OPEN_LIST, {}, officer)

    assert nodes(still_open["rightsRequests"]) == [{"id": waiting, "status": "VERIFIED"}]
    assert nodes(closed["rightsRequests"]) == [{"id": done, "status": "REJECTED"}]
    assert rejected_and_open["rightsRequests"]["totalCount"] == 0
    assert everything["rightsRequests"]["totalCount"] == 2
