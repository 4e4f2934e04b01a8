"""replyToCustomer: the agent who claimed a follow-up e-mails the customer over
GraphQL, under the same rules as from Slack; routing rules carry the Reply-To."""

from __future__ import annotations

from typing import Any

import pytest

from hub.models.common import Channel, Role
from hub.models.followup import FollowUp
from hub.models.outbox import OutboxMessage
from hub.models.suppression import SuppressionReason
from hub.services import Services
from hub.settings import Settings
from tests.factories import context, make_survey, person
from tests.support.graphql import GraphQLClient
from tests.support.mail import Mailbox, mailbox, smtp, text_of

__all__ = ["mailbox", "smtp"]

CLAIM = """
mutation Claim($id: ID!) { claimFollowUp(id: $id) { __typename } }
"""
REPLY = """
mutation Reply($id: ID!, $text: String!, $key: String) {
  replyToCustomer(followUpId: $id, text: $text, idempotencyKey: $key) {
    __typename
    ... on FollowUp {
      customerInformed customerInformedAt
      customerReplies { by { id } text to language outboxId sentAt }
    }
    ... on UserError { code message field }
  }
}
"""
REPLIES = """
query Replies($id: ID!) {
  followUp(id: $id) { customerInformed customerReplies { text to language } }
}
"""
CREATE_RULE = """
mutation Create($input: CreateRoutingRuleInput!) {
  createRoutingRule(input: $input) {
    __typename ... on RoutingRule { id replyTo } ... on UserError { code field }
  }
}
"""
UPDATE_RULE = """
mutation Update($id: ID!, $input: UpdateRoutingRuleInput!) {
  updateRoutingRule(id: $id, input: $input) {
    __typename ... on RoutingRule { replyTo } ... on UserError { code field }
  }
}
"""


@pytest.fixture
def settings(settings: Settings, smtp: tuple[Mailbox, int]) -> Settings:
    return settings.model_copy(
        update={
            "smtp_host": "127.0.0.1",
            "smtp_port": smtp[1],
            "smtp_starttls": False,
            "smtp_from": "feedback@hub.test",
        }
    )


async def claimed(gql: GraphQLClient, services: Services, email: str | None = None) -> FollowUp:
    """A commented response (in Spanish) whose follow-up the agent key has claimed."""
    if await services.surveys.find("nps-main") is None:
        await make_survey(services)
    who = person(1) if email is None else person(1, email=email or None)
    display = await services.responses.record_display(
        "nps-main", who, Channel.IN_APP_WEB, context(), "es"
    )
    response = await services.responses.submit_score(str(display.id), 5)
    await services.responses.submit_comment(str(response.id), "Muy lento, escribid a ana@ex.org")
    found = await FollowUp.find_one(FollowUp.response_id == response.id)
    assert found is not None
    await gql.ok(CLAIM, {"id": str(found.id)}, role=Role.AGENT)
    return found


async def reply(
    gql: GraphQLClient, follow_up: FollowUp | str, role: Role = Role.AGENT, **extra: str
) -> dict[str, Any]:
    """The answer to replyToCustomer (the text in Spanish unless `text` is given)."""
    follow_up_id = follow_up if isinstance(follow_up, str) else str(follow_up.id)
    variables = {"id": follow_up_id, "text": "Lo hemos arreglado.", **extra}
    result: dict[str, Any] = (await gql.ok(REPLY, variables, role=role))["replyToCustomer"]
    return result


async def test_the_claimer_replies_once_per_call(
    gql: GraphQLClient, services: Services, mailbox: Mailbox
) -> None:
    follow_up = await claimed(gql, services)

    # When the claimer replies, and the call is retried
    first = await reply(gql, follow_up)
    again = await reply(gql, follow_up)

    # Then the reply is recorded once, in the survey's language, and sent once
    assert first["__typename"] == "FollowUp"
    assert first["customerInformed"] is True
    [recorded] = first["customerReplies"]
    assert recorded["to"] == "person1@example.org"
    assert (recorded["language"], recorded["text"]) == ("es", "Lo hemos arreglado.")
    assert recorded["by"]["id"].startswith("key:")
    assert again["customerReplies"] == first["customerReplies"]
    [message] = await OutboxMessage.find(OutboxMessage.kind == "email").to_list()
    assert str(message.id) == recorded["outboxId"]
    await services.dispatcher.run_once()
    [mail] = mailbox.messages
    assert mail["Subject"] == "Re: tu opinión sobre Accounting"
    assert mail["Reply-To"] is None  # no routing rule sets one
    assert "Lo hemos arreglado." in text_of(mail)

    # A new idempotency key is a new reply
    third = await reply(gql, follow_up, key="second-reply")
    assert len(third["customerReplies"]) == 2
    await reply(gql, follow_up, key="second-reply")
    assert await OutboxMessage.find(OutboxMessage.kind == "email").count() == 2


async def test_only_the_claimer_may_reply_and_viewers_see_it_masked(
    gql: GraphQLClient, services: Services
) -> None:
    follow_up = await claimed(gql, services)

    refused = await reply(gql, follow_up, role=Role.ADMIN)
    assert (refused["__typename"], refused["code"]) == ("ConflictError", "NOT_CLAIMER")
    assert await gql.error_code(REPLY, {"id": str(follow_up.id), "text": "x"}, Role.VIEWER) == (
        "FORBIDDEN"
    )
    assert await OutboxMessage.find(OutboxMessage.kind == "email").count() == 0

    await reply(gql, follow_up)
    seen = (await gql.ok(REPLIES, {"id": str(follow_up.id)}, role=Role.ADMIN))["followUp"]
    assert seen["customerReplies"][0]["to"] == "person1@example.org"
    other_agent_key = (await services.keys.create(Role.AGENT, "another agent"))[1]
    body = await gql.raw(REPLIES, {"id": str(follow_up.id)}, token=other_agent_key)
    [shown] = body["data"]["followUp"]["customerReplies"]
    assert shown["to"] is None


@pytest.mark.parametrize(
    ("reason", "code"),
    [
        (SuppressionReason.OBJECTION, "CONTACT_OBJECTED"),
        (SuppressionReason.RESTRICTION, "CONTACT_RESTRICTED"),
        (SuppressionReason.ERASURE, "CONTACT_ERASED"),
    ],
)
async def test_people_who_may_not_be_contacted_are_refused_with_a_typed_error(
    gql: GraphQLClient, services: Services, reason: SuppressionReason, code: str
) -> None:
    follow_up = await claimed(gql, services)
    await services.suppressions.suppress(reason, user_id="user-1")

    refused = await reply(gql, follow_up)

    assert (refused["__typename"], refused["code"]) == ("ConflictError", code)
    assert "person1" not in refused["message"]
    assert await OutboxMessage.find(OutboxMessage.kind == "email").count() == 0
    stored = await FollowUp.get(follow_up.id)
    assert stored is not None and stored.customer_replies == []


async def test_bad_input_changes_nothing(gql: GraphQLClient, services: Services) -> None:
    follow_up = await claimed(gql, services, email="")

    no_address = await reply(gql, follow_up)
    empty = await reply(gql, follow_up, text="  ")
    too_long = await reply(gql, follow_up, text="x" * 3001)
    unknown = await reply(gql, "0" * 24)

    assert no_address["code"] == "NO_EMAIL_ADDRESS"
    assert (empty["code"], empty["field"]) == ("INVALID_INPUT", "text")
    assert (too_long["code"], too_long["field"]) == ("INVALID_INPUT", "text")
    assert unknown["code"] == "NOT_FOUND"
    assert await OutboxMessage.find(OutboxMessage.kind == "email").count() == 0


async def test_routing_rules_carry_the_reply_to(gql: GraphQLClient, services: Services) -> None:
    rule = {"name": "Nordics", "channelId": "CNORD", "replyTo": " Nordics@Acme.Example "}
    created = (await gql.ok(CREATE_RULE, {"input": rule}, Role.ADMIN))["createRoutingRule"]
    assert created["replyTo"] == "nordics@acme.example"

    bad = await gql.ok(UPDATE_RULE, {"id": created["id"], "input": {"replyTo": "nope"}}, Role.ADMIN)
    assert (bad["updateRoutingRule"]["code"], bad["updateRoutingRule"]["field"]) == (
        "INVALID_EMAIL",
        "replyTo",
    )
    cleared = await gql.ok(UPDATE_RULE, {"id": created["id"], "input": {"replyTo": ""}}, Role.ADMIN)
    assert cleared["updateRoutingRule"]["replyTo"] is None

    # And a reply to a follow-up the rule routes carries it
    await gql.ok(
        UPDATE_RULE, {"id": created["id"], "input": {"replyTo": "team@acme.example"}}, Role.ADMIN
    )
    follow_up = await claimed(gql, services)
    await reply(gql, follow_up)
    [message] = await OutboxMessage.find(OutboxMessage.kind == "email").to_list()
    assert message.payload["headers"]["Reply-To"] == "team@acme.example"
