"""The thread under a follow-up's message is its history: claims, hand-overs,
resolutions and reopenings are announced there once, the message shows the current
state, and what employees reply there is kept as internal notes. Driven through signed
requests to /slack/events and the fake Slack."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from hub.clock import FrozenClock
from hub.models.common import Role
from hub.models.followup import Actor, FollowUp, FollowUpNote, FollowUpStatus
from hub.models.outbox import OutboxMessage
from hub.services import Services
from hub.services.followups.thread import THREAD
from tests.support.graphql import GraphQLClient
from tests.support.slack import FakeSlack, Message
from tests.support.slack_sender import SlackSender
from tests.support.waiting import eventually
from tests.support.widget import Widget, follow_up_of

NOTES = """
query Notes($id: ID!) {
  followUp(id: $id) { status notes { author { id name } text writtenAt } }
}
"""


@pytest.fixture
async def agent(hub_services: Services, hub_http: Any) -> GraphQLClient:
    token = (await hub_services.keys.create(Role.AGENT, "agent desk"))[1]
    return GraphQLClient(hub_http, {Role.AGENT: token})


async def posted(services: Services, widget: Widget) -> tuple[FollowUp, Message]:
    await services.routing.set_defaults("CROUTED", None)
    response = await widget.answer(3, "Reports take forever to load")
    await services.dispatcher.run_once()
    follow_up = await follow_up_of(response)
    [top] = follow_up.posts
    return follow_up, Message(top.channel_id, top.ts, "", [], None)


async def reloaded(follow_up: FollowUp) -> FollowUp:
    found = await FollowUp.get(follow_up.id)
    assert found is not None
    return found


async def delivered(services: Services) -> None:
    """Run the dispatcher until nothing is due (updates, then thread replies)."""
    while await services.dispatcher.run_once():
        pass


async def delivered_once_queued(services: Services, shows: Callable[[], bool]) -> None:
    """Deliver until `shows()` holds: the listener queues the message update just after
    it writes the change, so the update may not be queued yet when the change is seen."""

    async def done() -> bool:
        await delivered(services)
        return shows()

    await eventually(done)


def replies(slack: FakeSlack, top: Message) -> list[str]:
    return [reply.text for reply in slack.thread_replies(top.channel, top.ts)]


def shown(slack: FakeSlack, top: Message) -> str:
    return str(slack.messages[(top.channel, top.ts)].blocks)


def button_ids(slack: FakeSlack, top: Message) -> list[str]:
    message = slack.messages[(top.channel, top.ts)]
    [actions] = [block for block in message.blocks if block["type"] == "actions"]
    return [element["action_id"] for element in actions["elements"]]


def thread_reply(top: Message, user: str, ts: str, text: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": "message",
        "channel": top.channel,
        "channel_type": "channel",
        "user": user,
        "text": text,
        "ts": ts,
        "thread_ts": top.ts,
        "event_ts": ts,
        **extra,
    }


async def test_a_claim_is_announced_once_in_the_thread_and_the_message_shows_it(
    hub_services: Services, widget: Widget, slack: FakeSlack, sender: SlackSender
) -> None:
    # Given a posted follow-up
    follow_up, top = await posted(hub_services, widget)

    # When UAGENT clicks Claim, Slack retries the click, and they click again
    click = sender.action_body("followup_claim", str(follow_up.id), "UAGENT")
    assert (await sender.send(click)).status_code == 200
    assert (await sender.send(click, retry=1)).status_code == 200
    await eventually(lambda: len(slack.calls_to("chat.postEphemeral")) == 1)
    await sender.click("followup_claim", str(follow_up.id), "UAGENT")
    await eventually(lambda: len(slack.calls_to("chat.postEphemeral")) == 2)
    await delivered(hub_services)

    # Then the thread holds one announcement, and the message shows the claim
    assert replies(slack, top) == [":raising_hand: <@UAGENT> claimed this follow-up."]
    assert "Claimed by <@UAGENT>" in shown(slack, top)
    assert slack.channel_messages("CROUTED") == [slack.messages[(top.channel, top.ts)]]


async def test_an_announcement_slack_took_but_did_not_confirm_is_not_posted_again(
    hub_services: Services,
    widget: Widget,
    slack: FakeSlack,
    sender: SlackSender,
    clock: FrozenClock,
) -> None:
    follow_up, top = await posted(hub_services, widget)
    await sender.click("followup_claim", str(follow_up.id), "UAGENT")
    await eventually(lambda: len(slack.calls_to("chat.postEphemeral")) == 1)

    # Slack posts the reply but answers 500; the outbox tries again later
    slack.fail("chat.postMessage", 500, apply=True)
    await delivered(hub_services)
    clock.advance(timedelta(hours=1))
    await delivered(hub_services)

    assert replies(slack, top) == [":raising_hand: <@UAGENT> claimed this follow-up."]
    assert len(slack.calls_to("conversations.replies")) == 1
    [announcement] = await OutboxMessage.find(OutboxMessage.kind == THREAD).to_list()
    assert announcement.status.value == "DELIVERED" and announcement.attempts == 2


async def test_assign_resolve_and_reopen_from_slack_are_the_threads_history(
    hub_services: Services, widget: Widget, slack: FakeSlack, sender: SlackSender
) -> None:
    follow_up, top = await posted(hub_services, widget)
    follow_up_id = str(follow_up.id)
    await sender.click("followup_claim", follow_up_id, "UAGENT")
    await eventually(lambda: len(slack.calls_to("chat.postEphemeral")) == 1)

    # The claimer hands it to a colleague with the user picker
    await sender.click("followup_reassign", follow_up_id, "UAGENT")
    await eventually(lambda: len(slack.calls_to("views.open")) == 1)
    view = slack.calls_to("views.open")[0].args["view"]
    assert view["callback_id"] == "followup_reassign_view"
    assert view["blocks"][1]["element"]["type"] == "users_select"
    picked = {"assignee": {"assignee_input": {"type": "users_select", "selected_user": "UOTHER"}}}
    await sender.submit_view("followup_reassign_view", follow_up_id, "UAGENT", picked)

    async def theirs() -> bool:
        found = await reloaded(follow_up)
        return found.claimed_by is not None and found.claimed_by.id == "slack:UOTHER"

    await eventually(theirs)
    assigned = await reloaded(follow_up)
    assert assigned.assigned_by is not None and assigned.assigned_by.id == "slack:UAGENT"
    assert assigned.claimed_by is not None and assigned.claimed_by.name == "name-UOTHER"
    await delivered_once_queued(hub_services, lambda: "Claimed by <@UOTHER>" in shown(slack, top))
    assert "Claimed by <@UOTHER>" in shown(slack, top)
    assert "assigned by <@UAGENT>" in shown(slack, top)

    # The colleague resolves it; someone reopens it with a reason
    await sender.submit_resolution(follow_up_id, "UOTHER", "Rebuilt the index", informed=True)
    await eventually(
        lambda: _status_is(follow_up, FollowUpStatus.RESOLVED),
    )
    await delivered_once_queued(hub_services, lambda: "followup_reopen" in button_ids(slack, top))
    assert button_ids(slack, top) == ["followup_reopen"]
    await sender.click("followup_reopen", follow_up_id, "UTHIRD")
    await eventually(lambda: len(slack.calls_to("views.open")) == 2)
    assert slack.calls_to("views.open")[1].args["view"]["callback_id"] == "followup_reopen_view"
    reason = {"reason": {"reason_input": {"type": "plain_text_input", "value": "Still slow"}}}
    await sender.submit_view("followup_reopen_view", follow_up_id, "UTHIRD", reason)
    await eventually(lambda: _status_is(follow_up, FollowUpStatus.OPEN))
    await delivered_once_queued(hub_services, lambda: "Reopened by <@UTHIRD>" in shown(slack, top))

    reopened = await reloaded(follow_up)
    assert reopened.reopened is not None and reopened.reopened.reason == "Still slow"
    assert reopened.claimed_by is None and reopened.resolution is not None  # kept
    assert "Reopened by <@UTHIRD>" in shown(slack, top) and "Still slow" in shown(slack, top)
    assert button_ids(slack, top)[0] == "followup_claim"
    assert replies(slack, top) == [
        ":raising_hand: <@UAGENT> claimed this follow-up.",
        ":arrows_counterclockwise: <@UAGENT> assigned this follow-up to <@UOTHER>.",
        ":white_check_mark: <@UOTHER> resolved this follow-up (customer informed).",
        ":repeat: <@UTHIRD> reopened this follow-up; the reason is in the message above.",
    ]


async def _status_is(follow_up: FollowUp, status: FollowUpStatus) -> bool:
    return (await reloaded(follow_up)).status is status


async def test_hand_overs_that_are_not_allowed_are_refused_and_change_nothing(
    hub_services: Services, widget: Widget, slack: FakeSlack, sender: SlackSender
) -> None:
    follow_up, top = await posted(hub_services, widget)
    follow_up_id = str(follow_up.id)
    await sender.click("followup_claim", follow_up_id, "UAGENT")
    await eventually(lambda: len(slack.calls_to("chat.postEphemeral")) == 1)

    # Someone else may not hand it on, neither by button nor by a forged submission
    await sender.click("followup_reassign", follow_up_id, "UOTHER")
    await eventually(lambda: len(slack.calls_to("chat.postEphemeral")) == 2)
    picked = {"assignee": {"assignee_input": {"type": "users_select", "selected_user": "UOTHER"}}}
    await sender.submit_view("followup_reassign_view", follow_up_id, "UOTHER", picked)
    await eventually(lambda: len(slack.calls_to("chat.postEphemeral")) == 3)
    # Nor reopen what is not resolved, nor reopen without a reason
    await sender.click("followup_reopen", follow_up_id, "UOTHER")
    await eventually(lambda: len(slack.calls_to("chat.postEphemeral")) == 4)
    empty = {"reason": {"reason_input": {"type": "plain_text_input", "value": "  "}}}
    answer = await sender.submit_view("followup_reopen_view", follow_up_id, "UOTHER", empty)

    texts = [str(call.args["text"]) for call in slack.calls_to("chat.postEphemeral")]
    assert texts[1:] == [
        "Only the claimer or an admin may reassign.",
        "Only the claimer or an admin may reassign.",
        "The follow-up is not resolved.",
    ]
    assert answer.json()["response_action"] == "errors"
    assert slack.calls_to("views.open") == []
    current = await reloaded(follow_up)
    assert current.claimed_by is not None and current.claimed_by.id == "slack:UAGENT"
    await delivered(hub_services)
    assert replies(slack, top) == [":raising_hand: <@UAGENT> claimed this follow-up."]


async def test_replies_in_the_thread_are_kept_once_as_notes_for_agents(
    hub_services: Services,
    widget: Widget,
    slack: FakeSlack,
    sender: SlackSender,
    agent: GraphQLClient,
) -> None:
    follow_up, top = await posted(hub_services, widget)
    note = thread_reply(top, "UAGENT", f"{float(top.ts) + 60:.6f}", "Called them, waiting")

    # Slack delivers the reply, retries the delivery, and delivers it again as a new event
    assert (await sender.event(note, event_id="Ev0001")).status_code == 200
    assert (await sender.event(note, event_id="Ev0001", retry=1)).status_code == 200
    assert (await sender.event(note, event_id="Ev0002")).status_code == 200
    # What is not a person's reply in this follow-up's thread is not a note
    later = f"{float(top.ts) + 120:.6f}"
    ignored = [
        thread_reply(top, "UBOT", later, "I am the bot", bot_id="B0BOT"),
        thread_reply(top, "UAGENT", later, "edited", subtype="message_changed"),
        {**thread_reply(top, "UAGENT", later, "another thread"), "thread_ts": "1.000001"},
        {**thread_reply(top, "UAGENT", later, "in the channel"), "thread_ts": None},
    ]
    for event in ignored:
        assert (await sender.event(event)).status_code == 200
    # A reply that is also sent to the channel is a note too
    broadcast = thread_reply(
        top, "UOTHER", f"{float(top.ts) + 180:.6f}", "Fixed?", subtype="thread_broadcast"
    )
    await sender.event(broadcast)

    await eventually(lambda: _notes_count(2))
    data = await agent.ok(NOTES, {"id": str(follow_up.id)}, Role.AGENT)
    notes = data["followUp"]["notes"]
    assert [(n["author"]["id"], n["author"]["name"], n["text"]) for n in notes] == [
        ("slack:UAGENT", "name-UAGENT", "Called them, waiting"),
        ("slack:UOTHER", "name-UOTHER", "Fixed?"),
    ]
    written = datetime.fromtimestamp(float(note["ts"]), UTC)
    # the time the reply was written (stored to the millisecond)
    assert abs(datetime.fromisoformat(notes[0]["writtenAt"]) - written) < timedelta(seconds=1)
    assert await FollowUpNote.find_all().count() == 2
    # Notes are internal: nothing about them goes anywhere but the database
    assert "Called them" not in str([call.args for call in slack.calls])


async def _notes_count(count: int) -> bool:
    return await FollowUpNote.find_all().count() == count


async def test_a_change_made_before_the_message_is_out_is_announced_under_it(
    hub_services: Services, widget: Widget, slack: FakeSlack, clock: FrozenClock
) -> None:
    # Given a follow-up whose post Slack refuses for now (it is down)
    await hub_services.routing.set_defaults("CROUTED", None)
    follow_up = await follow_up_of(await widget.answer(3, "Reports take forever"))
    slack.fail("chat.postMessage", 500)
    await delivered(hub_services)
    assert slack.channel_messages("CROUTED") == []

    # When it is claimed meanwhile (over the API), and Slack is back later
    agent = Actor(id="slack:UAGENT", name="Agent")
    await hub_services.follow_ups.claim(str(follow_up.id), agent)
    await delivered(hub_services)
    clock.advance(timedelta(hours=1))
    await delivered(hub_services)

    # Then the claim is announced under the message, once
    [top] = (await reloaded(follow_up)).posts
    message = Message(top.channel_id, top.ts, "", [], None)
    assert replies(slack, message) == [":raising_hand: <@UAGENT> claimed this follow-up."]


async def test_nothing_is_announced_about_a_person_whose_data_was_erased(
    hub_services: Services, widget: Widget, slack: FakeSlack
) -> None:
    follow_up, top = await posted(hub_services, widget)
    await hub_services.follow_ups.claim(str(follow_up.id), Actor(id="slack:UAGENT", name="A"))

    await hub_services.follow_ups.redact_subject(follow_up.subject_id)
    await delivered(hub_services)

    assert replies(slack, top) == []
    assert slack.messages[(top.channel, top.ts)].text.startswith("This message was redacted")
