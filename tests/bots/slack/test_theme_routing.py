"""Themes in Slack: a routing rule may send a theme's comments to its channel, and the
follow-up message names the comment's themes, whether the tagger stored them before
the post or they are computed when it is made."""

from __future__ import annotations

import httpx
import pytest
from beanie import PydanticObjectId

from hub.clock import FrozenClock
from hub.models.common import Role
from hub.models.followup import Actor
from hub.models.response import Response
from hub.models.routing import RoutingRule
from hub.models.theme import ThemeRule, ThemeTag
from hub.services import Services
from tests.factories import make_survey
from tests.support.graphql import GraphQLClient
from tests.support.slack import FakeSlack, Message
from tests.support.theme_tags import given_theme, store_tags
from tests.support.widget import USER, comment, follow_up_of, score, show

CREATE_RULE = """
mutation Create($input: CreateRoutingRuleInput!) {
  createRoutingRule(input: $input) {
    __typename
    ... on RoutingRule { id match { theme } }
    ... on UserError { message code field }
  }
}
"""
UPDATE_RULE = """
mutation Update($id: ID!, $input: UpdateRoutingRuleInput!) {
  updateRoutingRule(id: $id, input: $input) {
    __typename
    ... on RoutingRule { match { theme } }
    ... on UserError { message code field }
  }
}
"""
PERFORMANCE = [ThemeRule(language="en", terms=["slow", "performance"])]


@pytest.fixture
async def gql(hub_services: Services, hub_http: httpx.AsyncClient) -> GraphQLClient:
    tokens = {role: (await hub_services.keys.create(role, role.value))[1] for role in Role}
    return GraphQLClient(hub_http, tokens)


@pytest.fixture
async def billing_rule(hub_services: Services, clock: FrozenClock, gql: GraphQLClient) -> str:
    """Themes billing and performance; billing comments go to #billing, the rest to
    the default channel."""
    await make_survey(hub_services, key="nps-main")
    await given_theme(hub_services, clock, "billing")
    await given_theme(hub_services, clock, "performance", PERFORMANCE)
    await hub_services.routing.set_defaults("CDEFAULT", None)
    created = await gql.ok(
        CREATE_RULE,
        {"input": {"name": "Billing", "channelId": "CBILLING", "match": {"theme": "billing"}}},
        Role.ADMIN,
    )
    assert created["createRoutingRule"]["match"] == {"theme": "billing"}
    rule_id: str = created["createRoutingRule"]["id"]
    return rule_id


async def _comment_through_the_widget(
    gql: GraphQLClient, text: str, user_id: str, locale: str = "en"
) -> str:
    """A new person (`user_id`) answers and comments, as the widget does."""
    display = await show(gql, user={**USER, "id": user_id, "locale": locale})
    scored = await score(gql, display["displayId"], 4)
    commented = await comment(gql, scored["responseId"], text)
    assert commented["__typename"] == "CommentSubmitted"
    response_id: str = commented["responseId"]
    return response_id


def _themes_line(message: Message) -> str | None:
    for block in message.blocks:
        if block.get("block_id") == "themes":
            return str(block["elements"][0]["text"])
    return None


async def test_a_billing_comment_goes_to_the_billing_channel_and_shows_its_theme(
    hub_services: Services, slack: FakeSlack, gql: GraphQLClient, billing_rule: str
) -> None:
    # When comments come in through the widget, before the tagger has stored any tags
    await _comment_through_the_widget(gql, "I was charged twice and the invoice is slow", "u-1")
    await _comment_through_the_widget(gql, "Las facturas llegan tarde", "u-2", locale="es")
    await _comment_through_the_widget(gql, "Lovely colours", "u-3")
    await hub_services.dispatcher.run_once()

    # Then the billing comments (in English and in Spanish) are in #billing, tagged as
    # such, computed from the comment when it was routed and posted
    billing = slack.channel_messages("CBILLING")
    assert len(billing) == 2
    assert [_themes_line(message) for message in billing] == [
        ":label: Themes: `billing`, `performance`",
        ":label: Themes: `billing`",
    ]
    # and the other one in the default channel, with no themes line
    [other] = slack.channel_messages("CDEFAULT")
    assert "Lovely colours" in str(other.blocks)
    assert _themes_line(other) is None


async def test_stored_tags_are_what_the_message_shows(
    hub_services: Services, slack: FakeSlack, gql: GraphQLClient, billing_rule: str
) -> None:
    # Given the tagger stored a comment's tags before its message was posted (tags that
    # differ from the computed ones only to tell them apart)
    response_id = await _comment_through_the_widget(gql, "The invoice is slow", "u-1")
    stored = ThemeTag(theme="performance", language="en", rule="slow", words=["slow"])
    await store_tags(response_id, stored)

    await hub_services.dispatcher.run_once()

    # Then the message shows the stored tags (routing ran with the comment, before)
    [message] = slack.channel_messages("CBILLING")
    assert _themes_line(message) == ":label: Themes: `performance`"
    # and so does the message rebuilt after a claim
    response = await Response.get(PydanticObjectId(response_id))
    assert response is not None
    follow_up = await follow_up_of(response)
    await hub_services.follow_ups.claim(str(follow_up.id), Actor(id="slack:U0AGENT", name="Kari"))
    await hub_services.dispatcher.run_once()
    [update] = slack.calls_to("chat.update")
    assert ":label: Themes: `performance`" in str(update.args["blocks"])


async def test_a_rule_with_an_unknown_theme_is_refused_and_the_others_keep_working(
    hub_services: Services, slack: FakeSlack, gql: GraphQLClient, billing_rule: str
) -> None:
    # When an admin names a theme that does not exist, in a new rule or in a change
    created = await gql.ok(
        CREATE_RULE,
        {"input": {"name": "Shipping", "channelId": "CSHIP", "match": {"theme": "shipping"}}},
        Role.ADMIN,
    )
    updated = await gql.ok(
        UPDATE_RULE, {"id": billing_rule, "input": {"match": {"theme": "shipping"}}}, Role.ADMIN
    )

    # Then both are refused with a typed error naming the field, and nothing changed
    for refused in (created["createRoutingRule"], updated["updateRoutingRule"]):
        assert (refused["code"], refused["field"]) == ("NOT_FOUND", "match.theme")
        assert refused["message"] == "Theme not found."
    rules = await RoutingRule.find_all().to_list()
    assert [(rule.channel_id, rule.match.theme) for rule in rules] == [("CBILLING", "billing")]

    # and billing comments still go to #billing
    await _comment_through_the_widget(gql, "Wrong invoice", "u-4")
    await hub_services.dispatcher.run_once()
    assert len(slack.channel_messages("CBILLING")) == 1
