"""Direct messages as the fallback of private answers: when an ephemeral message cannot
reach a person (they are not in the channel, Slack is down), they get a direct message
through the outbox, exactly once."""

from __future__ import annotations

from datetime import timedelta

from hub.clock import FrozenClock
from hub.models.followup import FollowUp
from hub.models.outbox import OutboxMessage, OutboxStatus
from hub.services import Services
from tests.support.slack import FakeSlack
from tests.support.slack_sender import SlackSender
from tests.support.waiting import eventually
from tests.support.widget import Widget, follow_up_of


async def posted_follow_up(services: Services, widget: Widget) -> FollowUp:
    await services.routing.set_defaults("CROUTED", None)
    response = await widget.answer(4, "Reports take forever to load")
    await services.dispatcher.run_once()
    return await follow_up_of(response)


async def dm_queued() -> bool:
    return await OutboxMessage.find(OutboxMessage.kind == "slack.dm").count() > 0


async def direct_messages_after_delivery(
    services: Services, slack: FakeSlack, user: str, count: int
) -> None:
    async def arrived() -> bool:
        await services.dispatcher.run_once()
        return len(slack.direct_messages(user)) >= count

    await eventually(arrived)


async def test_the_claimer_not_in_the_channel_gets_the_contact_in_a_direct_message(
    hub_services: Services, widget: Widget, slack: FakeSlack, sender: SlackSender
) -> None:
    # Given a posted follow-up, and a claimer Slack cannot reach ephemerally there
    follow_up = await posted_follow_up(hub_services, widget)
    slack.refuse("chat.postEphemeral", "user_not_in_channel")
    body = sender.action_body("followup_claim", str(follow_up.id), "UAGENT")

    # When they claim it, and Slack sends the click again
    assert (await sender.send(body)).status_code == 200
    await direct_messages_after_delivery(hub_services, slack, "UAGENT", 1)
    assert (await sender.send(body, retry=1)).status_code == 200
    await hub_services.dispatcher.run_once()

    # Then they get the customer's contact details in one direct message
    [message] = slack.direct_messages("UAGENT")
    assert "You have claimed this follow-up" in message.text
    assert "person1@example.org" in message.text
    [opened] = slack.calls_to("conversations.open")
    assert opened.args["users"] == "UAGENT"
    dms = await OutboxMessage.find(OutboxMessage.kind == "slack.dm").to_list()
    assert [(dm.status, dm.payload) for dm in dms] == [(OutboxStatus.DELIVERED, {})]


async def test_while_slack_is_down_the_contact_waits_in_the_outbox(
    hub_services: Services,
    widget: Widget,
    slack: FakeSlack,
    sender: SlackSender,
    clock: FrozenClock,
) -> None:
    # Given a posted follow-up
    follow_up = await posted_follow_up(hub_services, widget)

    # When someone claims it just as Slack goes down (the ephemeral answer fails)
    slack.fail("chat.postEphemeral", 503)
    await sender.click("followup_claim", str(follow_up.id), "UAGENT")
    await eventually(dm_queued)
    slack.go_down(503)
    for _ in range(3):
        await hub_services.dispatcher.run_once()
        clock.advance(timedelta(minutes=10))
    assert slack.direct_messages("UAGENT") == []

    # Then, once Slack is back, the claimer gets the contact details exactly once
    slack.come_back()
    await direct_messages_after_delivery(hub_services, slack, "UAGENT", 1)
    clock.advance(timedelta(minutes=10))
    await hub_services.dispatcher.run_once()
    [message] = slack.direct_messages("UAGENT")
    assert "person1@example.org" in message.text


async def test_a_refusal_that_cannot_be_shown_is_sent_directly(
    hub_services: Services, widget: Widget, slack: FakeSlack, sender: SlackSender
) -> None:
    # Given a follow-up someone has claimed
    follow_up = await posted_follow_up(hub_services, widget)
    await sender.click("followup_claim", str(follow_up.id), "UFIRST")
    await eventually(lambda: len(slack.calls_to("chat.postEphemeral")) == 1)

    # When someone else, outside the channel, clicks Claim too
    slack.refuse("chat.postEphemeral", "channel_not_found")
    await sender.click("followup_claim", str(follow_up.id), "USECOND")

    # Then they are told who has it in a direct message, without any contact details
    await direct_messages_after_delivery(hub_services, slack, "USECOND", 1)
    [message] = slack.direct_messages("USECOND")
    assert "already claimed by <@UFIRST>" in message.text
    assert "person1@example.org" not in message.text


async def test_a_direct_message_about_a_person_erased_meanwhile_carries_nothing_of_them(
    hub_services: Services, widget: Widget, slack: FakeSlack, sender: SlackSender
) -> None:
    # Given a claim whose contact details wait for Slack to come back
    follow_up = await posted_follow_up(hub_services, widget)
    slack.fail("chat.postEphemeral", 503)
    await sender.click("followup_claim", str(follow_up.id), "UAGENT")
    await eventually(dm_queued)

    # When the customer's Slack messages are redacted (erasure) before it goes out
    await hub_services.follow_ups.redact_subject(follow_up.subject_id)
    slack.come_back()
    for _ in range(2):
        await hub_services.dispatcher.run_once()

    # Then no direct message carries their contact details
    assert all("person1@example.org" not in m.text for m in slack.direct_messages("UAGENT"))
