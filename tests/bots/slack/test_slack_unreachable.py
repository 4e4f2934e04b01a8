"""A signed request always gets an answer Slack understands, even when the hub cannot
reach Slack's Web API: it is acknowledged, and its work is done or queued in the
outbox for when Slack is back."""

from __future__ import annotations

import asyncio

from hub.models.followup import FollowUp, FollowUpStatus
from hub.models.outbox import OutboxMessage
from hub.services import Services
from hub.services.followups.followups import UPDATE
from tests.support.slack import FakeSlack
from tests.support.slack_sender import SlackSender
from tests.support.waiting import eventually
from tests.support.widget import Widget, follow_up_of


async def posted_follow_up(services: Services, widget: Widget) -> FollowUp:
    await services.routing.set_defaults("CROUTED", None)
    response = await widget.answer(4, "Reports take forever to load")
    await services.dispatcher.run_once()
    return await follow_up_of(response)


async def status_of(follow_up: FollowUp) -> FollowUpStatus:
    found = await FollowUp.get(follow_up.id)
    assert found is not None
    return found.status


async def test_a_claim_is_acknowledged_and_done_while_slack_is_unreachable(
    hub_services: Services, widget: Widget, slack: FakeSlack, sender: SlackSender
) -> None:
    # Given a posted follow-up, and then Slack's Web API out of reach
    follow_up = await posted_follow_up(hub_services, widget)
    await slack.stop()

    # When someone clicks Claim
    answer = await sender.click("followup_claim", str(follow_up.id), "UAGENT")

    # Then Slack gets its ack, the claim is made and the message update waits in the outbox
    assert answer.status_code == 200

    async def claimed_and_queued() -> bool:
        # The listener runs after the ack: the claim, then the update it queues.
        queued = await OutboxMessage.find(OutboxMessage.kind == UPDATE).count()
        return await status_of(follow_up) is FollowUpStatus.CLAIMED and queued == 1

    await eventually(claimed_and_queued)

    # And once Slack is back, the dispatcher brings the message up to date
    await slack.start()
    await hub_services.dispatcher.run_once()
    assert len(slack.calls_to("chat.update")) == 1


async def test_every_kind_of_request_is_acknowledged_while_slack_is_unreachable(
    hub_services: Services, widget: Widget, slack: FakeSlack, sender: SlackSender
) -> None:
    follow_up = await posted_follow_up(hub_services, widget)
    await slack.stop()

    answers = [
        await sender.click("followup_resolve", str(follow_up.id), "UAGENT"),
        await sender.click("followup_unclaim", str(follow_up.id), "UAGENT"),
        await sender.submit_resolution(str(follow_up.id), "UAGENT", "Fixed it", True),
        await sender.command("unclaimed", "UAGENT", slack.response_url()),
        await sender.command("stats", "UAGENT", slack.response_url()),
    ]
    await asyncio.sleep(0.5)

    assert [answer.status_code for answer in answers] == [200] * len(answers)
