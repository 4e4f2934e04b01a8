"""`deliveries`: admins see how the outbox's Slack posts and e-mails are going, and
nothing of what they carry."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from hub.clock import FrozenClock
from hub.models.common import Role
from hub.services import Services
from hub.services.platform.outbox import GiveUp
from tests.support.graphql import GraphQLClient, nodes

DELIVERIES = """
query Deliveries($status: MessageDelivery, $kind: String, $first: Int, $after: String) {
  deliveries(status: $status, kind: $kind, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges {
      cursor
      node {
        id kind channel status attempts createdAt nextAttemptAt deliveredAt lastErrorCode
      }
    }
  }
}"""
DELIVERY_FIELDS = '{ __type(name: "Delivery") { fields { name } } }'
PAYLOAD = {"to": "ingrid.solberg@example.org", "text": "The invoice page keeps failing"}


async def test_an_admin_sees_each_delivery_newest_first_without_its_payload(
    gql: GraphQLClient, services: Services, clock: FrozenClock
) -> None:
    # Given an e-mail refused for good, then a Slack post still waiting
    await services.outbox.enqueue("email", "mail-1", "smtp", PAYLOAD, ["user-1"])
    refused = await services.outbox.claim("owner", ["email"])
    assert refused is not None
    await services.outbox.settle(refused, "owner", GiveUp("SMTP_RECIPIENT_REFUSED"))
    clock.advance(timedelta(minutes=1))
    await services.outbox.enqueue("slack.post", "post-1", "C-ROUTE", PAYLOAD, ["user-1"])

    page = (await gql.ok(DELIVERIES, {"first": 10}, Role.ADMIN))["deliveries"]

    assert [(n["kind"], n["status"], n["lastErrorCode"]) for n in nodes(page)] == [
        ("slack.post", "PENDING", None),
        ("email", "FAILED", "SMTP_RECIPIENT_REFUSED"),
    ]
    assert nodes(page)[1]["attempts"] == 1 and nodes(page)[1]["channel"] == "smtp"
    assert page["totalCount"] == 2
    assert page["pageInfo"] == {
        "hasNextPage": False,
        "hasPreviousPage": False,
        "startCursor": page["edges"][0]["cursor"],
        "endCursor": page["edges"][-1]["cursor"],
    }
    answer = json.dumps(page)
    assert "ingrid" not in answer and "invoice" not in answer and "user-1" not in answer


async def test_a_delivery_offers_no_field_that_could_carry_personal_data(
    gql: GraphQLClient,
) -> None:
    fields = {
        f["name"] for f in (await gql.ok(DELIVERY_FIELDS, role=Role.ADMIN))["__type"]["fields"]
    }

    assert fields == {
        "id",
        "kind",
        "channel",
        "status",
        "attempts",
        "createdAt",
        "nextAttemptAt",
        "deliveredAt",
        "lastErrorCode",
        "fix",
    }


async def test_deliveries_are_filtered_and_paged_by_cursor(
    gql: GraphQLClient, services: Services
) -> None:
    for number in range(3):
        await services.outbox.enqueue("email", f"mail-{number}", "smtp", PAYLOAD)
    await services.outbox.enqueue("slack.post", "post-1", "C-ROUTE", PAYLOAD)

    first = (await gql.ok(DELIVERIES, {"kind": "email", "first": 2}, Role.ADMIN))["deliveries"]
    after = first["pageInfo"]["endCursor"]
    rest = await gql.ok(DELIVERIES, {"kind": "email", "first": 2, "after": after}, Role.ADMIN)
    failed = (await gql.ok(DELIVERIES, {"status": "FAILED"}, Role.ADMIN))["deliveries"]

    ids = [node["id"] for node in nodes(first) + nodes(rest["deliveries"])]
    assert len(ids) == len(set(ids)) == 3
    assert first["pageInfo"]["hasNextPage"] and not rest["deliveries"]["pageInfo"]["hasNextPage"]
    assert first["totalCount"] == 3 and failed == {
        "totalCount": 0,
        "pageInfo": {
            "hasNextPage": False,
            "hasPreviousPage": False,
            "startCursor": None,
            "endCursor": None,
        },
        "edges": [],
    }


@pytest.mark.parametrize("role", [Role.VIEWER, Role.AGENT, Role.PRIVACY_OFFICER, Role.WIDGET])
async def test_only_admins_read_deliveries(gql: GraphQLClient, role: Role) -> None:
    assert await gql.error_code(DELIVERIES, {}, role) == "FORBIDDEN"
    assert await gql.error_code(DELIVERIES, {}, token="fh_unknown") == "UNAUTHENTICATED"
