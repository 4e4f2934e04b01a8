"""Employees work follow-ups from Slack: signed requests to /slack/events for button
clicks, the Resolve modal and the /feedback command."""

from __future__ import annotations

import asyncio
import json
import time

from hub.models.followup import FollowUp, FollowUpStatus
from hub.models.slack import SlackRequestSeen, SlackUser
from hub.services import Services
from tests.support.slack import FakeSlack
from tests.support.slack_sender import SlackSender, signed_headers
from tests.support.waiting import eventually
from tests.support.widget import Widget, follow_up_of


async def posted_follow_up(services: Services, widget: Widget, score: int = 4) -> FollowUp:
    await services.routing.set_defaults("CROUTED", None)
    response = await widget.answer(score, "Reports take forever to load")
    await services.dispatcher.run_once()
    return await follow_up_of(response)


async def reloaded(follow_up: FollowUp) -> FollowUp:
    found = await FollowUp.get(follow_up.id)
    assert found is not None
    return found


def ephemeral_texts(slack: FakeSlack) -> list[str]:
    return [str(call.args["text"]) for call in slack.calls_to("chat.postEphemeral")]


async def test_fifty_simultaneous_claims_have_one_winner(
    hub_services: Services, widget: Widget, slack: FakeSlack, sender: SlackSender
) -> None:
    # Given a posted follow-up
    follow_up = await posted_follow_up(hub_services, widget)
    users = [f"U{n:04d}" for n in range(50)]

    # When fifty people click Claim at once
    answers = await asyncio.gather(
        *(sender.click("followup_claim", str(follow_up.id), user) for user in users)
    )
    assert all(answer.status_code == 200 for answer in answers)
    await eventually(lambda: len(slack.calls_to("chat.postEphemeral")) == 50)

    # Then exactly one has it, and the 49 others are told who does
    claimed = await reloaded(follow_up)
    assert claimed.status is FollowUpStatus.CLAIMED
    assert claimed.claimed_by is not None
    winner = claimed.claimed_by.id.removeprefix("slack:")
    assert winner in users
    refusals = [t for t in ephemeral_texts(slack) if "already claimed by" in t]
    assert len(refusals) == 49
    assert all(f"<@{winner}>" in text for text in refusals)
    told = {str(c.args["user"]) for c in slack.calls_to("chat.postEphemeral")}
    assert told == set(users)

    # And the message, rebuilt from the database, shows who has it
    await hub_services.dispatcher.run_once()
    [message] = slack.channel_messages("CROUTED")
    assert f"Claimed by <@{winner}>" in str(message.blocks)
    buttons = next(b for b in message.blocks if b["type"] == "actions")["elements"]
    assert [b["text"]["text"] for b in buttons] == [
        "Unclaim",
        "Resolve",
        "Reassign",
        "Reply to customer",
    ]


async def test_the_claimer_sees_the_customer_contact(
    hub_services: Services, widget: Widget, slack: FakeSlack, sender: SlackSender
) -> None:
    follow_up = await posted_follow_up(hub_services, widget)

    await sender.click("followup_claim", str(follow_up.id), "UAGENT")
    await eventually(lambda: len(slack.calls_to("chat.postEphemeral")) == 1)

    [call] = slack.calls_to("chat.postEphemeral")
    assert call.args["user"] == "UAGENT"
    assert "person1@example.org" in str(call.args["text"])
    # the public message never shows it
    await hub_services.dispatcher.run_once()
    assert "person1@example.org" not in str(slack.channel_messages("CROUTED")[0].blocks)


async def test_slack_users_are_recorded_with_their_display_name_once(
    hub_services: Services, widget: Widget, slack: FakeSlack, sender: SlackSender
) -> None:
    first = await posted_follow_up(hub_services, widget)
    second = await posted_follow_up(hub_services, widget)

    await sender.click("followup_claim", str(first.id), "UAGENT")
    await eventually(lambda: len(slack.calls_to("chat.postEphemeral")) == 1)
    await sender.click("followup_claim", str(second.id), "UAGENT")
    await eventually(lambda: len(slack.calls_to("chat.postEphemeral")) == 2)

    user = await SlackUser.find_one(SlackUser.slack_id == "UAGENT")
    assert user is not None and user.display_name == "name-UAGENT"
    assert len(slack.calls_to("users.info")) == 1
    assert (await reloaded(second)).claimed_by is not None
    assert (await reloaded(second)).claimed_by.name == "name-UAGENT"  # type: ignore[union-attr]


async def test_only_the_claimer_or_an_admin_may_unclaim(
    hub_services: Services, widget: Widget, slack: FakeSlack, sender: SlackSender
) -> None:
    follow_up = await posted_follow_up(hub_services, widget)
    await sender.click("followup_claim", str(follow_up.id), "UAGENT")
    await eventually(lambda: len(slack.calls_to("chat.postEphemeral")) == 1)

    # Someone else may not
    await sender.click("followup_unclaim", str(follow_up.id), "UOTHER")
    await eventually(lambda: len(slack.calls_to("chat.postEphemeral")) == 2)
    assert "Only the claimer or an admin" in ephemeral_texts(slack)[-1]
    assert (await reloaded(follow_up)).status is FollowUpStatus.CLAIMED

    # A workspace admin may
    await sender.click("followup_unclaim", str(follow_up.id), "UADMIN")

    async def released() -> bool:
        return (await reloaded(follow_up)).status is FollowUpStatus.OPEN

    await eventually(released)
    assert (await reloaded(follow_up)).claimed_by is None


async def test_resolve_opens_a_modal_and_the_message_shows_the_resolution(
    hub_services: Services, widget: Widget, slack: FakeSlack, sender: SlackSender
) -> None:
    follow_up = await posted_follow_up(hub_services, widget)
    await sender.click("followup_claim", str(follow_up.id), "UAGENT")
    await eventually(lambda: len(slack.calls_to("chat.postEphemeral")) == 1)

    # When the claimer clicks Resolve, a modal asks for a note
    await sender.click("followup_resolve", str(follow_up.id), "UAGENT")
    await eventually(lambda: len(slack.calls_to("views.open")) == 1)
    view = slack.calls_to("views.open")[0].args["view"]
    assert view["callback_id"] == "followup_resolve_view"
    assert json.loads(view["private_metadata"])["follow_up_id"] == str(follow_up.id)

    # An empty note is refused in the modal, nothing changes
    answer = await sender.submit_resolution(str(follow_up.id), "UAGENT", "  ", informed=True)
    assert answer.json()["response_action"] == "errors"
    assert (await reloaded(follow_up)).status is FollowUpStatus.CLAIMED

    # And when submitted with a note, it is resolved and the message says so
    answer = await sender.submit_resolution(
        str(follow_up.id), "UAGENT", "Fixed the report index", informed=True
    )
    assert answer.status_code == 200

    async def resolved() -> bool:
        return (await reloaded(follow_up)).status is FollowUpStatus.RESOLVED

    await eventually(resolved)
    done = await reloaded(follow_up)
    assert done.resolution is not None
    assert done.resolution.note == "Fixed the report index"
    assert done.resolution.customer_informed
    await hub_services.dispatcher.run_once()
    shown = str(slack.channel_messages("CROUTED")[0].blocks)
    assert "Resolved by <@UAGENT>" in shown and "Fixed the report index" in shown
    assert "customer informed" in shown
    actions = [b for b in slack.channel_messages("CROUTED")[0].blocks if b["type"] == "actions"]
    assert [b["action_id"] for b in actions[0]["elements"]] == ["followup_reopen"]  # only


async def test_someone_else_cannot_resolve_a_claimed_follow_up(
    hub_services: Services, widget: Widget, slack: FakeSlack, sender: SlackSender
) -> None:
    follow_up = await posted_follow_up(hub_services, widget)
    await sender.click("followup_claim", str(follow_up.id), "UAGENT")
    await eventually(lambda: len(slack.calls_to("chat.postEphemeral")) == 1)

    await sender.click("followup_resolve", str(follow_up.id), "UOTHER")
    await eventually(lambda: len(slack.calls_to("chat.postEphemeral")) == 2)

    assert "already claimed by <@UAGENT>" in ephemeral_texts(slack)[-1]
    assert slack.calls_to("views.open") == []


async def test_forged_and_stale_signatures_are_rejected_and_change_nothing(
    hub_services: Services, widget: Widget, slack: FakeSlack, sender: SlackSender
) -> None:
    follow_up = await posted_follow_up(hub_services, widget)
    body = sender.action_body("followup_claim", str(follow_up.id), "UAGENT")

    forged = await sender.send(body, signed_headers(body, secret="not-the-secret"))
    stale = await sender.send(body, signed_headers(body, at=int(time.time()) - 6 * 60))
    unsigned = await sender.send(body, {"Content-Type": "application/x-www-form-urlencoded"})

    assert (forged.status_code, stale.status_code, unsigned.status_code) == (401, 401, 401)
    await asyncio.sleep(0.2)  # would any work have started, it had time to
    assert (await reloaded(follow_up)).status is FollowUpStatus.OPEN
    assert slack.calls_to("chat.postEphemeral") == []
    assert await SlackUser.find_all().count() == 0
    assert await SlackRequestSeen.find_all().count() == 0

    # The genuine request with the same body still works
    assert (await sender.send(body)).status_code == 200

    async def claimed() -> bool:
        return (await reloaded(follow_up)).status is FollowUpStatus.CLAIMED

    await eventually(claimed)


async def test_a_replayed_action_does_nothing_twice(
    hub_services: Services, widget: Widget, slack: FakeSlack, sender: SlackSender
) -> None:
    follow_up = await posted_follow_up(hub_services, widget)
    await hub_services.routing.set_defaults("CROUTED", None)

    # Given a claim that was handled, then unclaimed by its claimer
    body = sender.action_body("followup_claim", str(follow_up.id), "UAGENT")
    assert (await sender.send(body)).status_code == 200
    await eventually(lambda: len(slack.calls_to("chat.postEphemeral")) == 1)
    await sender.click("followup_unclaim", str(follow_up.id), "UAGENT")

    async def released() -> bool:
        return (await reloaded(follow_up)).status is FollowUpStatus.OPEN

    await eventually(released)

    # When Slack retries the first claim
    answer = await sender.send(body, retry=1)

    # Then it is acknowledged and nothing happens again
    assert answer.status_code == 200
    await asyncio.sleep(0.2)
    assert (await reloaded(follow_up)).status is FollowUpStatus.OPEN
    assert len(slack.calls_to("chat.postEphemeral")) == 1


async def test_feedback_unclaimed_lists_oldest_first_with_links(
    hub_services: Services, widget: Widget, slack: FakeSlack, sender: SlackSender
) -> None:
    first = await posted_follow_up(hub_services, widget, score=1)
    second = await posted_follow_up(hub_services, widget, score=8)

    await sender.command("unclaimed", "UAGENT", slack.response_url("unclaimed"))
    await eventually(lambda: bool(slack.calls_to("respond:unclaimed")))

    [reply] = slack.calls_to("respond:unclaimed")
    text = str(reply.args["text"])
    assert reply.args["response_type"] == "ephemeral"
    assert text.index("NPS 1") < text.index("NPS 8")
    for follow_up in (first, second):
        post = follow_up.posts[0]
        link = f"https://acme-feedback.slack.com/archives/CROUTED/p{post.ts.replace('.', '')}"
        assert link in text


async def test_feedback_mine_lists_my_claims(
    hub_services: Services, widget: Widget, slack: FakeSlack, sender: SlackSender
) -> None:
    mine = await posted_follow_up(hub_services, widget, score=2)
    await posted_follow_up(hub_services, widget, score=7)
    await sender.click("followup_claim", str(mine.id), "UAGENT")
    await eventually(lambda: len(slack.calls_to("chat.postEphemeral")) == 1)

    await sender.command("mine", "UAGENT", slack.response_url("mine"))
    await eventually(lambda: bool(slack.calls_to("respond:mine")))

    text = str(slack.calls_to("respond:mine")[0].args["text"])
    assert "NPS 2" in text and "NPS 7" not in text


async def test_feedback_stats_summarises_the_last_thirty_days(
    hub_services: Services, widget: Widget, slack: FakeSlack, sender: SlackSender
) -> None:
    for score in (10, 9, 8, 3):
        await widget.answer(score, comment=None)

    await sender.command("stats nps-main", "UAGENT", slack.response_url("stats"))
    await eventually(lambda: bool(slack.calls_to("respond:stats")))

    text = str(slack.calls_to("respond:stats")[0].args["text"])
    # 2 promoters, 1 detractor of 4: NPS +25
    assert "NPS *+25* from 4 responses" in text
    assert "50% promoters" in text and "25% detractors" in text


async def test_unknown_subcommands_get_help(
    hub_services: Services, slack: FakeSlack, sender: SlackSender
) -> None:
    await sender.command("frobnicate", "UAGENT", slack.response_url("help"))
    await eventually(lambda: bool(slack.calls_to("respond:help")))

    text = str(slack.calls_to("respond:help")[0].args["text"])
    assert "/feedback unclaimed" in text and "/feedback stats" in text
