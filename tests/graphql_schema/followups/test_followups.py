"""Follow-ups and routing rules over GraphQL (here the hub runs without Slack)."""

from __future__ import annotations

from typing import Any

from hub.models.common import Channel, Role
from hub.models.followup import FollowUp
from hub.services import Services
from tests.factories import context, make_survey, person
from tests.support.graphql import GraphQLClient, nodes

FOLLOW_UPS = """
query FollowUps($status: FollowUpStatus, $mine: Boolean! = false, $claimedBy: String) {
  followUps(status: $status, mine: $mine, claimedBy: $claimedBy) {
    edges {
      node {
        id status score metric surveyKey
        claimedBy { id name }
        resolution { note customerInformed by { name } }
        response { comment }
        contact { email username masked }
      }
    }
  }
}
"""
CLAIM = """
mutation Claim($id: ID!) {
  claimFollowUp(id: $id) {
    __typename
    ... on FollowUp { status claimedBy { id name } contact { email masked } }
    ... on UserError { code message }
  }
}
"""
UNCLAIM = """
mutation Unclaim($id: ID!) {
  unclaimFollowUp(id: $id) { __typename ... on FollowUp { status } ... on UserError { code } }
}
"""
RESOLVE = """
mutation Resolve($id: ID!, $note: String!, $informed: Boolean!) {
  resolveFollowUp(id: $id, note: $note, customerInformed: $informed) {
    __typename
    ... on FollowUp { status resolution { note customerInformed } }
    ... on UserError { code field }
  }
}
"""
CREATE_RULE = """
mutation Create($input: CreateRoutingRuleInput!) {
  createRoutingRule(input: $input) {
    __typename
    ... on RoutingRule { id name priority channelId match { country metric scoreMin scoreMax } }
    ... on UserError { code field }
  }
}
"""
UPDATE_RULE = """
mutation Update($id: ID!, $input: UpdateRoutingRuleInput!) {
  updateRoutingRule(id: $id, input: $input) {
    __typename ... on RoutingRule { priority channelId } ... on UserError { code }
  }
}
"""
DELETE_RULE = """
mutation Delete($id: ID!) {
  deleteRoutingRule(id: $id) { __typename ... on UserError { code } }
}
"""
RULES = "{ routingRules { name priority } routingDefaults { defaultChannelId } }"
DEFAULTS = """
mutation Defaults($default: String, $escalation: String) {
  setRoutingDefaults(defaultChannelId: $default, escalationChannelId: $escalation) {
    __typename
    ... on RoutingDefaults { defaultChannelId escalationChannelId }
    ... on UserError { code field }
  }
}
"""


async def commented(services: Services, number: int, score: int) -> FollowUp:
    if await services.surveys.find("nps-main") is None:
        await make_survey(services)
    display = await services.responses.record_display(
        "nps-main", person(number), Channel.IN_APP_WEB, context(), "en"
    )
    response = await services.responses.submit_score(str(display.id), score)
    await services.responses.submit_comment(str(response.id), f"comment {number}")
    found = await FollowUp.find_one(FollowUp.response_id == response.id)
    assert found is not None
    return found


async def test_follow_ups_work_without_slack(gql: GraphQLClient, services: Services) -> None:
    # Given two commented responses (the hub has no Slack token)
    first = await commented(services, 1, 3)
    await commented(services, 2, 9)

    # An agent sees them, oldest first, with the comment and masked contact
    data = await gql.ok(FOLLOW_UPS, {"status": "OPEN"}, role=Role.AGENT)
    assert [f["score"] for f in nodes(data["followUps"])] == [3, 9]
    assert nodes(data["followUps"])[0]["response"]["comment"] == "comment 1"
    assert nodes(data["followUps"])[0]["contact"] == {
        "email": None,
        "username": None,
        "masked": True,
    }

    # When the agent claims the first, it sees the contact details
    claimed = (await gql.ok(CLAIM, {"id": str(first.id)}, role=Role.AGENT))["claimFollowUp"]
    assert claimed["status"] == "CLAIMED"
    assert claimed["claimedBy"]["name"] == "test agent"
    assert claimed["contact"] == {"email": "person1@example.org", "masked": False}

    # And a second claim, even by the same role, is refused with a typed error
    again = (await gql.ok(CLAIM, {"id": str(first.id)}, role=Role.ADMIN))["claimFollowUp"]
    assert again["code"] == "ALREADY_CLAIMED"
    # The admin sees the contact too (it may see personal data); a viewer may not list
    mine = await gql.ok(FOLLOW_UPS, {"mine": True}, role=Role.AGENT)
    assert [f["id"] for f in nodes(mine["followUps"])] == [str(first.id)]
    by_claimer = await gql.ok(
        FOLLOW_UPS, {"claimedBy": claimed["claimedBy"]["id"]}, role=Role.ADMIN
    )
    assert [f["id"] for f in nodes(by_claimer["followUps"])] == [str(first.id)]
    assert claimed["claimedBy"]["id"].startswith("key:")
    assert await gql.error_code(FOLLOW_UPS, role=Role.VIEWER) == "FORBIDDEN"


async def test_resolving_records_the_note_and_only_the_claimer_may(
    gql: GraphQLClient, services: Services
) -> None:
    follow_up = await commented(services, 1, 2)
    await gql.ok(CLAIM, {"id": str(follow_up.id)}, role=Role.ADMIN)

    # Another agent may neither unclaim nor resolve it
    assert (await gql.ok(UNCLAIM, {"id": str(follow_up.id)}, role=Role.AGENT))["unclaimFollowUp"][
        "code"
    ] == "NOT_CLAIMER"
    refused = await gql.ok(
        RESOLVE, {"id": str(follow_up.id), "note": "done", "informed": True}, role=Role.AGENT
    )
    assert refused["resolveFollowUp"]["code"] == "ALREADY_CLAIMED"

    # An empty note changes nothing
    empty = await gql.ok(
        RESOLVE, {"id": str(follow_up.id), "note": "  ", "informed": True}, role=Role.ADMIN
    )
    assert empty["resolveFollowUp"] == {
        "__typename": "ValidationError",
        "code": "INVALID_INPUT",
        "field": "note",
    }

    # The claimer resolves it
    done = await gql.ok(
        RESOLVE,
        {"id": str(follow_up.id), "note": "Called them back", "informed": True},
        role=Role.ADMIN,
    )
    assert done["resolveFollowUp"]["status"] == "RESOLVED"
    assert done["resolveFollowUp"]["resolution"] == {
        "note": "Called them back",
        "customerInformed": True,
    }
    twice = await gql.ok(
        RESOLVE, {"id": str(follow_up.id), "note": "x", "informed": False}, role=Role.ADMIN
    )
    assert twice["resolveFollowUp"]["code"] == "ALREADY_RESOLVED"


async def test_unknown_follow_up_is_not_found(gql: GraphQLClient) -> None:
    result = await gql.ok(CLAIM, {"id": "not-an-id"}, role=Role.AGENT)
    assert result["claimFollowUp"]["code"] == "NOT_FOUND"


async def test_admins_manage_routing_rules(gql: GraphQLClient) -> None:
    rule: dict[str, Any] = (
        await gql.ok(
            CREATE_RULE,
            {
                "input": {
                    "name": "Norwegian detractors",
                    "channelId": "CNORWAY",
                    "priority": 5,
                    "match": {"country": "no", "metric": "NPS", "scoreMax": 6},
                }
            },
            role=Role.ADMIN,
        )
    )["createRoutingRule"]
    assert rule["match"] == {"country": "NO", "metric": "NPS", "scoreMin": None, "scoreMax": 6}

    await gql.ok(
        CREATE_RULE,
        {"input": {"name": "Everything", "channelId": "CALL", "priority": 50}},
        role=Role.ADMIN,
    )
    updated = await gql.ok(
        UPDATE_RULE, {"id": rule["id"], "input": {"priority": 90}}, role=Role.ADMIN
    )
    assert updated["updateRoutingRule"] == {
        "__typename": "RoutingRule",
        "priority": 90,
        "channelId": "CNORWAY",
    }
    listed = await gql.ok(RULES, role=Role.ADMIN)
    assert [r["name"] for r in listed["routingRules"]] == ["Everything", "Norwegian detractors"]

    deleted = await gql.ok(DELETE_RULE, {"id": rule["id"]}, role=Role.ADMIN)
    assert deleted["deleteRoutingRule"]["__typename"] == "RoutingRule"
    again = await gql.ok(DELETE_RULE, {"id": rule["id"]}, role=Role.ADMIN)
    assert again["deleteRoutingRule"]["code"] == "NOT_FOUND"
    assert await gql.error_code(RULES, role=Role.AGENT) == "FORBIDDEN"


async def test_bad_rules_are_refused_and_nothing_is_stored(gql: GraphQLClient) -> None:
    cases = [
        ({"name": "x", "channelId": "#general"}, "channelId"),
        ({"name": "x", "channelId": "C123", "match": {"country": "Narnia"}}, "match.country"),
        (
            {"name": "x", "channelId": "C123", "match": {"scoreMin": 7, "scoreMax": 3}},
            "match.scoreMin",
        ),
        ({"name": " ", "channelId": "C123"}, "name"),
        ({"name": "x", "channelId": "C123", "match": {"surveyKey": "{$ne: 1}"}}, "match.surveyKey"),
    ]
    for rule_input, field in cases:
        result = await gql.ok(CREATE_RULE, {"input": rule_input}, role=Role.ADMIN)
        assert result["createRoutingRule"]["field"] == field, rule_input
    assert (await gql.ok(RULES, role=Role.ADMIN))["routingRules"] == []

    bad = await gql.ok(DEFAULTS, {"default": "general"}, role=Role.ADMIN)
    assert bad["setRoutingDefaults"]["field"] == "defaultChannelId"
    good = await gql.ok(DEFAULTS, {"default": "CDEFAULT", "escalation": "CESC"}, role=Role.ADMIN)
    assert good["setRoutingDefaults"] == {
        "__typename": "RoutingDefaults",
        "defaultChannelId": "CDEFAULT",
        "escalationChannelId": "CESC",
    }


POLICY = """
  reminders {
    unclaimedAfterMinutes unresolvedAfterMinutes onCallGroupId escalationChannelId
    businessHours { timeZone days start end }
  }
"""
CREATE_WITH_REMINDERS = f"""
mutation Create($input: CreateRoutingRuleInput!) {{
  createRoutingRule(input: $input) {{
    __typename
    ... on RoutingRule {{ id {POLICY} }}
    ... on UserError {{ code field }}
  }}
}}
"""
UPDATE_REMINDERS = f"""
mutation Update($id: ID!, $input: UpdateRoutingRuleInput!) {{
  updateRoutingRule(id: $id, input: $input) {{
    __typename ... on RoutingRule {{ {POLICY} }} ... on UserError {{ code field }}
  }}
}}
"""
DEFAULT_REMINDERS = f"""
mutation Defaults($reminders: ReminderPolicyInput) {{
  setRoutingDefaults(defaultChannelId: "CDEFAULT", reminders: $reminders) {{
    __typename ... on RoutingDefaults {{ defaultChannelId {POLICY} }}
    ... on UserError {{ code field }}
  }}
}}
"""


async def test_rules_and_defaults_carry_a_reminder_policy(gql: GraphQLClient) -> None:
    policy = {
        "unclaimedAfterMinutes": 60,
        "unresolvedAfterMinutes": 480,
        "onCallGroupId": "SONCALL",
        "escalationChannelId": "CMANAGERS",
        "businessHours": {"timeZone": "Europe/Berlin", "days": [5, 1, 2], "start": "08:30"},
    }
    created = (
        await gql.ok(
            CREATE_WITH_REMINDERS,
            {"input": {"name": "Support", "channelId": "CSUPPORT", "reminders": policy}},
            role=Role.ADMIN,
        )
    )["createRoutingRule"]
    assert created["reminders"] == {
        **policy,
        "businessHours": {
            "timeZone": "Europe/Berlin",
            "days": [1, 2, 5],
            "start": "08:30",
            "end": "17:00",
        },
    }

    # Updating without reminders keeps them; with them, replaces the whole policy
    kept = await gql.ok(
        UPDATE_REMINDERS, {"id": created["id"], "input": {"priority": 3}}, role=Role.ADMIN
    )
    assert kept["updateRoutingRule"]["reminders"] == created["reminders"]
    replaced = await gql.ok(
        UPDATE_REMINDERS,
        {"id": created["id"], "input": {"reminders": {"unclaimedAfterMinutes": 15}}},
        role=Role.ADMIN,
    )
    assert replaced["updateRoutingRule"]["reminders"] == {
        "unclaimedAfterMinutes": 15,
        "unresolvedAfterMinutes": None,
        "onCallGroupId": None,
        "escalationChannelId": None,
        "businessHours": None,
    }

    # The defaults: set with the channels, kept when left out
    await gql.ok(DEFAULT_REMINDERS, {"reminders": {"unresolvedAfterMinutes": 90}}, role=Role.ADMIN)
    again = await gql.ok(DEFAULT_REMINDERS, {}, role=Role.ADMIN)
    assert again["setRoutingDefaults"]["reminders"]["unresolvedAfterMinutes"] == 90


async def test_bad_reminder_policies_are_refused_and_change_nothing(gql: GraphQLClient) -> None:
    hours = {"timeZone": "Europe/Berlin"}
    cases = [
        ({"unclaimedAfterMinutes": 0}, "reminders.unclaimedAfterMinutes"),
        ({"unresolvedAfterMinutes": 60 * 24 * 31}, "reminders.unresolvedAfterMinutes"),
        ({"onCallGroupId": "@support"}, "reminders.onCallGroupId"),
        ({"escalationChannelId": "#boss"}, "reminders.escalationChannelId"),
        ({"businessHours": {"timeZone": "Mars/Olympus"}}, "reminders.businessHours.timeZone"),
        ({"businessHours": {"timeZone": "../../etc/passwd"}}, "reminders.businessHours.timeZone"),
        ({"businessHours": {"timeZone": "America"}}, "reminders.businessHours.timeZone"),
        ({"businessHours": {**hours, "days": []}}, "reminders.businessHours.days"),
        ({"businessHours": {**hours, "days": [0, 8]}}, "reminders.businessHours.days"),
        ({"businessHours": {**hours, "start": "9am"}}, "reminders.businessHours.start"),
        ({"businessHours": {**hours, "start": "18:00"}}, "reminders.businessHours.end"),
    ]
    for policy, field in cases:
        result = await gql.ok(
            CREATE_WITH_REMINDERS,
            {"input": {"name": "x", "channelId": "C123", "reminders": policy}},
            role=Role.ADMIN,
        )
        assert result["createRoutingRule"]["field"] == field, policy
        defaults = await gql.ok(DEFAULT_REMINDERS, {"reminders": policy}, role=Role.ADMIN)
        assert defaults["setRoutingDefaults"]["field"] == field, policy
    assert (await gql.ok(RULES, role=Role.ADMIN))["routingRules"] == []
    assert (await gql.ok(RULES, role=Role.ADMIN))["routingDefaults"]["defaultChannelId"] is None


REASSIGN = """
mutation Reassign($id: ID!, $to: String) {
  reassignFollowUp(id: $id, to: $to) {
    __typename
    ... on FollowUp { status claimedBy { id name } assignedBy { id } }
    ... on UserError { code field }
  }
}
"""
REOPEN = """
mutation Reopen($id: ID!, $reason: String!) {
  reopenFollowUp(id: $id, reason: $reason) {
    __typename
    ... on FollowUp {
      status claimedBy { id } reopened { by { id } reason } resolution { note }
    }
    ... on UserError { code field }
  }
}
"""


async def test_reassigning_hands_a_follow_up_to_a_slack_user_or_back_to_the_queue(
    gql: GraphQLClient, services: Services
) -> None:
    follow_up = await commented(services, 1, 2)
    id_ = str(follow_up.id)

    # An open follow-up may be given to anyone in Slack by any agent
    given = (await gql.ok(REASSIGN, {"id": id_, "to": "slack:U0AGENT"}, Role.AGENT))[
        "reassignFollowUp"
    ]
    assert given["status"] == "CLAIMED"
    assert given["claimedBy"] == {"id": "slack:U0AGENT", "name": "U0AGENT"}
    assert given["assignedBy"]["id"].startswith("key:")

    # Only the claimer or an admin may hand it on; not to the one who has it; only to
    # Slack users given as `slack:<id>`
    refused = await gql.ok(REASSIGN, {"id": id_, "to": "slack:U0OTHER"}, Role.AGENT)
    assert refused["reassignFollowUp"]["code"] == "NOT_CLAIMER"
    same = await gql.ok(REASSIGN, {"id": id_, "to": "slack:U0AGENT"}, Role.ADMIN)
    assert same["reassignFollowUp"] == {
        "__typename": "ConflictError",
        "code": "INVALID_TRANSITION",
        "field": "to",
    }
    for bad in ("U0OTHER", "key:abc", "slack:<@U0OTHER>", ""):
        invalid = await gql.ok(REASSIGN, {"id": id_, "to": bad}, Role.ADMIN)
        assert invalid["reassignFollowUp"] == {
            "__typename": "ValidationError",
            "code": "INVALID_INPUT",
            "field": "to",
        }
    current = await FollowUp.get(follow_up.id)
    assert current is not None and current.claimed_by is not None
    assert current.claimed_by.id == "slack:U0AGENT"

    # An admin gives it back to the queue; then there is nothing to give back
    back = (await gql.ok(REASSIGN, {"id": id_, "to": None}, Role.ADMIN))["reassignFollowUp"]
    assert back == {
        "__typename": "FollowUp",
        "status": "OPEN",
        "claimedBy": None,
        "assignedBy": None,
    }
    again = await gql.ok(REASSIGN, {"id": id_, "to": None}, Role.ADMIN)
    assert again["reassignFollowUp"]["code"] == "INVALID_TRANSITION"
    assert await gql.error_code(REASSIGN, {"id": id_, "to": None}, Role.VIEWER) == "FORBIDDEN"


async def test_reopening_needs_a_resolved_follow_up_and_a_reason(
    gql: GraphQLClient, services: Services
) -> None:
    follow_up = await commented(services, 1, 2)
    id_ = str(follow_up.id)

    not_resolved = await gql.ok(REOPEN, {"id": id_, "reason": "Still broken"}, Role.AGENT)
    assert not_resolved["reopenFollowUp"] == {
        "__typename": "ConflictError",
        "code": "INVALID_TRANSITION",
        "field": "id",
    }
    await gql.ok(RESOLVE, {"id": id_, "note": "Fixed", "informed": True}, role=Role.ADMIN)
    for reason in ("   ", "x" * 3001):
        invalid = await gql.ok(REOPEN, {"id": id_, "reason": reason}, Role.AGENT)
        assert invalid["reopenFollowUp"]["field"] == "reason"

    reopened = (await gql.ok(REOPEN, {"id": id_, "reason": " Still broken "}, Role.AGENT))[
        "reopenFollowUp"
    ]
    assert reopened["status"] == "OPEN" and reopened["claimedBy"] is None
    assert reopened["reopened"]["reason"] == "Still broken"
    assert reopened["reopened"]["by"]["id"].startswith("key:")
    assert reopened["resolution"] == {"note": "Fixed"}  # the last resolution stays
    twice = await gql.ok(REOPEN, {"id": id_, "reason": "again"}, Role.AGENT)
    assert twice["reopenFollowUp"]["code"] == "INVALID_TRANSITION"
    # It can be worked again
    claimed = await gql.ok(CLAIM, {"id": id_}, role=Role.AGENT)
    assert claimed["claimFollowUp"]["status"] == "CLAIMED"
