"""Admins choose who may sign in to the console with Slack, and with which role."""

from __future__ import annotations

from hub.models.common import Role
from tests.support.graphql import GraphQLClient

SET = """
mutation Set($slackId: String!, $role: Role!) {
  setConsoleMember(slackId: $slackId, role: $role) {
    __typename
    ... on ConsoleMember { slackId role addedBy }
    ... on ValidationError { code field message }
  }
}
"""
REMOVE = """
mutation Remove($slackId: String!) {
  removeConsoleMember(slackId: $slackId) {
    __typename
    ... on ConsoleMember { slackId }
    ... on NotFoundError { code }
  }
}
"""
LIST = "{ consoleMembers { slackId role } }"


async def test_members_are_set_changed_listed_and_removed(gql: GraphQLClient) -> None:
    first = await gql.ok(SET, {"slackId": " U0ANA ", "role": "VIEWER"}, role=Role.ADMIN)
    assert first["setConsoleMember"]["slackId"] == "U0ANA"
    assert first["setConsoleMember"]["addedBy"].startswith("key:")
    await gql.ok(SET, {"slackId": "U0ANA", "role": "AGENT"}, role=Role.ADMIN)
    await gql.ok(SET, {"slackId": "S0TEAM", "role": "PRIVACY_OFFICER"}, role=Role.ADMIN)
    listed = await gql.ok(LIST, role=Role.ADMIN)
    assert listed["consoleMembers"] == [
        {"slackId": "S0TEAM", "role": "PRIVACY_OFFICER"},
        {"slackId": "U0ANA", "role": "AGENT"},
    ]
    # Another spelling of the same id is the same member
    lower = await gql.ok(SET, {"slackId": "u0ana", "role": "AGENT"}, role=Role.ADMIN)
    assert lower["setConsoleMember"]["slackId"] == "U0ANA"
    assert len((await gql.ok(LIST, role=Role.ADMIN))["consoleMembers"]) == 2
    removed = await gql.ok(REMOVE, {"slackId": "u0ana"}, role=Role.ADMIN)
    assert removed["removeConsoleMember"]["slackId"] == "U0ANA"
    again = await gql.ok(REMOVE, {"slackId": "U0ANA"}, role=Role.ADMIN)
    assert again["removeConsoleMember"]["__typename"] == "NotFoundError"


async def test_bad_ids_and_the_widget_role_are_refused_and_change_nothing(
    gql: GraphQLClient,
) -> None:
    for slack_id, role in [
        ("C0CHANNEL", "VIEWER"),
        ("U0-DASH", "VIEWER"),
        ("", "ADMIN"),
        ("U0ANA", "WIDGET"),
        ("U" + "A" * 60, "ADMIN"),
    ]:
        answer = await gql.ok(SET, {"slackId": slack_id, "role": role}, role=Role.ADMIN)
        result = answer["setConsoleMember"]
        assert result["__typename"] == "ValidationError", slack_id
        assert result["field"] in ("slackId", "role")
    assert (await gql.ok(LIST, role=Role.ADMIN))["consoleMembers"] == []
