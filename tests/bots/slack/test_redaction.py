"""Redaction of the Slack messages about a person, and GraphQL claims reflected in
Slack."""

from __future__ import annotations

from datetime import timedelta

import httpx

from hub.clock import FrozenClock
from hub.models.common import Role
from hub.models.outbox import OutboxMessage
from hub.models.response import Response
from hub.services import Services
from tests.support.slack import FakeSlack
from tests.support.widget import Widget, follow_up_of

REDACTED = "This message was redacted at the request of the person it was about."


async def test_redaction_replaces_every_message_about_the_person(
    hub_services: Services, widget: Widget, slack: FakeSlack
) -> None:
    # Given the person's comment in the routed and the escalation channel, and
    # someone else's comment
    await hub_services.routing.set_defaults("CROUTED", "CESCALATE")
    theirs = await widget.answer(1, "I am person1@example.org and I am angry")
    others = await widget.answer(9, "Great product")
    await hub_services.dispatcher.run_once()
    assert len(slack.channel_messages("CROUTED")) == 2

    # When their Slack messages are redacted
    subject = theirs.user.id
    assert await hub_services.follow_ups.redact_subject(subject) == 2
    await hub_services.dispatcher.run_once()

    # Then both of their messages say so and no longer hold the comment
    updates = slack.calls_to("chat.update")
    assert len(updates) == 2
    their_follow_up = await follow_up_of(theirs)
    for post in their_follow_up.posts:
        message = slack.messages[(post.channel_id, post.ts)]
        assert message.text == REDACTED
        assert "angry" not in str(message.blocks) and "example.org" not in str(message.blocks)
    assert their_follow_up.redacted
    # And the other person's message is untouched
    other_post = (await follow_up_of(others)).posts[0]
    assert "Great product" in str(slack.messages[(other_post.channel_id, other_post.ts)].blocks)

    # Running it again redacts nothing new
    assert await hub_services.follow_ups.redact_subject(subject) == 0
    await hub_services.dispatcher.run_once()
    assert len(slack.calls_to("chat.update")) == 2


async def test_redaction_drops_posts_not_yet_sent(
    hub_services: Services, widget: Widget, slack: FakeSlack
) -> None:
    await hub_services.routing.set_defaults("CROUTED", None)
    response = await widget.answer(1, "Call me at +47 555 12 345")

    await hub_services.follow_ups.redact_subject(response.user.id)
    await hub_services.dispatcher.run_once()

    assert slack.calls_to("chat.postMessage") == []
    assert await OutboxMessage.find(OutboxMessage.kind == "slack.post").count() == 0


async def test_a_redacted_line_of_a_digest_is_redacted_alone(
    hub_services: Services, widget: Widget, slack: FakeSlack, clock: FrozenClock
) -> None:
    # Given a digest of several people's comments
    await hub_services.routing.set_defaults("CROUTED", None)
    slack.fail("chat.postMessage", 429, retry_after=5)
    answered = [await widget.answer(score, f"comment of {score}") for score in range(1, 7)]
    await hub_services.dispatcher.run_once()
    clock.advance(timedelta(seconds=6))
    await hub_services.dispatcher.run_once()
    [digest] = slack.channel_messages("CROUTED")
    assert "comment of 1" in str(digest.blocks)

    # When one of them is redacted
    await hub_services.follow_ups.redact_subject(answered[0].user.id)
    await hub_services.dispatcher.run_once()

    # Then only that line is replaced
    shown = str(slack.messages[("CROUTED", digest.ts)].blocks)
    assert "comment of 1" not in shown and "(redacted)" in shown
    assert all(f"comment of {score}" in shown for score in range(2, 7))


CLAIM = """
mutation Claim($id: ID!) {
  claimFollowUp(id: $id) { __typename ... on FollowUp { status } ... on UserError { code } }
}
"""


async def test_a_claim_over_graphql_updates_the_slack_message(
    hub_services: Services, widget: Widget, slack: FakeSlack, hub_http: httpx.AsyncClient
) -> None:
    await hub_services.routing.set_defaults("CROUTED", None)
    follow_up = await follow_up_of(await widget.answer(4))
    await hub_services.dispatcher.run_once()
    _, token = await hub_services.keys.create(Role.AGENT, "Support desk")

    answer = await hub_http.post(
        "/graphql",
        json={"query": CLAIM, "variables": {"id": str(follow_up.id)}},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.json()["data"]["claimFollowUp"] == {"__typename": "FollowUp", "status": "CLAIMED"}
    await hub_services.dispatcher.run_once()

    [message] = slack.channel_messages("CROUTED")
    assert "Claimed by Support desk" in str(message.blocks)


async def test_corrected_data_is_passed_on_to_slack(
    hub_services: Services, widget: Widget, slack: FakeSlack
) -> None:
    # Given a posted comment from a person whose company was recorded wrongly
    await hub_services.routing.set_defaults("CROUTED", None)
    response = await widget.answer(5, company="Acme Wrong AS")
    await hub_services.dispatcher.run_once()

    # When the company is corrected and the messages are refreshed
    await Response.get_pymongo_collection().update_one(
        {"_id": response.id}, {"$set": {"customer.company": "Acme Right AS"}}
    )
    assert await hub_services.follow_ups.refresh_subject(response.user.id) == 1
    await hub_services.dispatcher.run_once()

    # Then the Slack message shows the corrected company
    [message] = slack.channel_messages("CROUTED")
    assert "Acme Right AS" in str(message.blocks) and "Wrong" not in str(message.blocks)
