"""New comments reach Slack through the outbox: Block Kit, metadata, retries, 429,
digests."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from hub.clock import FrozenClock
from hub.models.common import Metric
from hub.models.followup import Actor, FollowUpStatus, PostKind
from hub.models.outbox import OutboxMessage, OutboxStatus
from hub.server.app import create_app
from hub.services import Services
from hub.services.followups.routing import RuleDraft
from hub.services.platform.outbox import Dispatcher
from hub.settings import Settings
from tests.support.slack import FakeSlack
from tests.support.slack_hub import DIGEST_THRESHOLD
from tests.support.waiting import eventually
from tests.support.widget import Widget, follow_up_of


async def route_everything_to(services: Services, channel: str) -> None:
    await services.routing.set_defaults(channel, None)


async def test_a_comment_is_posted_with_its_details_and_buttons(
    hub_services: Services, widget: Widget, slack: FakeSlack
) -> None:
    # Given a default channel
    await route_everything_to(hub_services, "CROUTED")

    # When a detractor comments
    response = await widget.answer(3, "Export to PDF keeps failing & <crashing>")
    await hub_services.dispatcher.run_once()

    # Then one message is in the channel, with the score, its label, the customer,
    # the comment and the buttons, and metadata naming the follow-up
    follow_up = await follow_up_of(response)
    [message] = slack.channel_messages("CROUTED")
    shown = str(message.blocks)
    assert "NPS 3 (detractor)" in shown
    assert "nps-main" in shown and "Accounting" in shown and "Acme AS" in shown and "NO" in shown
    assert "Export to PDF keeps failing &amp; &lt;crashing&gt;" in shown
    actions = [block for block in message.blocks if block["type"] == "actions"]
    assert [button["text"]["text"] for button in actions[0]["elements"]] == [
        "Claim",
        "Resolve",
        "Assign",
    ]
    assert {button["value"] for button in actions[0]["elements"]} == {str(follow_up.id)}
    assert message.metadata is not None
    assert message.metadata["event_type"] == "feedback_follow_up"
    assert message.metadata["event_payload"]["follow_up_id"] == str(follow_up.id)

    # And the follow-up is open and knows where its message is
    assert follow_up.status is FollowUpStatus.OPEN
    assert [(p.channel_id, p.ts, p.kind) for p in follow_up.posts] == [
        ("CROUTED", message.ts, PostKind.ROUTED)
    ]


async def test_a_score_without_comment_is_not_posted(
    hub_services: Services, widget: Widget, slack: FakeSlack
) -> None:
    await route_everything_to(hub_services, "CROUTED")

    await widget.answer(2, comment=None)
    await hub_services.dispatcher.run_once()

    assert slack.calls_to("chat.postMessage") == []
    assert await OutboxMessage.find_all().count() == 0


async def test_labels_follow_each_metric(
    hub_services: Services, widget: Widget, slack: FakeSlack
) -> None:
    await route_everything_to(hub_services, "CROUTED")

    await widget.answer(9)
    await widget.answer(4, survey_key="csat-support", metric=Metric.CSAT)
    await widget.answer(2, survey_key="ces-export", metric=Metric.CES)
    await hub_services.dispatcher.run_once()

    shown = [str(m.blocks) for m in slack.channel_messages("CROUTED")]
    assert any("NPS 9 (promoter)" in text for text in shown)
    assert any("CSAT 4 (satisfied)" in text for text in shown)
    assert any("CES 2 (unsatisfied)" in text for text in shown)


async def test_slack_down_for_a_while_then_back_delivers_each_once(
    hub_services: Services, widget: Widget, slack: FakeSlack, clock: FrozenClock
) -> None:
    # Given Slack answers 500 to everything
    await route_everything_to(hub_services, "CROUTED")
    slack.go_down(500)
    responses = [await widget.answer(score) for score in (1, 5, 8)]

    # When the dispatcher tries several times while it is down
    for _ in range(4):
        await hub_services.dispatcher.run_once()
        clock.advance(timedelta(minutes=10))
    assert slack.channel_messages("CROUTED") == []
    assert len(slack.calls_to("chat.postMessage")) >= 3

    # And Slack comes back
    slack.come_back()
    await hub_services.dispatcher.run_once()

    # Then every comment is in the channel exactly once, and nothing is left to send
    posted = slack.channel_messages("CROUTED")
    ids = sorted(m.metadata["event_payload"]["follow_up_id"] for m in posted if m.metadata)
    expected = sorted([str((await follow_up_of(r)).id) for r in responses])
    assert ids == expected
    assert await hub_services.outbox.pending_count() == 0


async def test_no_double_post_after_an_unclear_failure(
    hub_services: Services, widget: Widget, slack: FakeSlack, clock: FrozenClock
) -> None:
    # Given Slack posts the message but the answer is lost (500 after the fact)
    await route_everything_to(hub_services, "CROUTED")
    slack.fail("chat.postMessage", 500, apply=True)
    response = await widget.answer(6)

    await hub_services.dispatcher.run_once()
    assert len(slack.channel_messages("CROUTED")) == 1

    # When the dispatcher retries
    clock.advance(timedelta(minutes=1))
    await hub_services.dispatcher.run_once()

    # Then it finds the message by its metadata instead of posting again
    [message] = slack.channel_messages("CROUTED")
    assert len(slack.calls_to("chat.postMessage")) == 1
    assert slack.calls_to("conversations.history")
    follow_up = await follow_up_of(response)
    assert [p.ts for p in follow_up.posts] == [message.ts]
    outbox = await OutboxMessage.find_one(OutboxMessage.kind == "slack.post")
    assert outbox is not None and outbox.status is OutboxStatus.DELIVERED


async def test_retry_after_is_honoured_for_the_channel(
    hub_services: Services, widget: Widget, slack: FakeSlack, clock: FrozenClock
) -> None:
    # Given Slack rate-limits the first post with Retry-After: 30
    await route_everything_to(hub_services, "CROUTED")
    slack.fail("chat.postMessage", 429, retry_after=30)
    await widget.answer(7)

    await hub_services.dispatcher.run_once()
    assert len(slack.calls_to("chat.postMessage")) == 1

    # When less than 30 s passed, nothing is sent to that channel
    clock.advance(timedelta(seconds=29))
    await hub_services.dispatcher.run_once()
    assert len(slack.calls_to("chat.postMessage")) == 1

    # Then after it, the message goes out
    clock.advance(timedelta(seconds=2))
    await hub_services.dispatcher.run_once()
    assert len(slack.calls_to("chat.postMessage")) == 2
    assert len(slack.channel_messages("CROUTED")) == 1


async def test_a_backed_up_channel_gets_one_digest(
    hub_services: Services, widget: Widget, slack: FakeSlack, clock: FrozenClock
) -> None:
    # Given a rate-limited channel while more comments than the threshold come in
    await route_everything_to(hub_services, "CROUTED")
    slack.fail("chat.postMessage", 429, retry_after=60)
    first = await widget.answer(3)
    await hub_services.dispatcher.run_once()
    others = [await widget.answer(score, f"comment number {score}") for score in range(0, 6)]
    count = 1 + len(others)
    assert count > DIGEST_THRESHOLD

    # When the pause ends
    clock.advance(timedelta(seconds=61))
    await hub_services.dispatcher.run_once()

    # Then one digest holds every comment, a line and a Claim button each
    [digest] = slack.channel_messages("CROUTED")
    assert digest.text == f"{count} new feedback comments"
    buttons = [b["accessory"] for b in digest.blocks if "accessory" in b]
    follow_ups = [await follow_up_of(r) for r in [first, *others]]
    assert sorted(b["value"] for b in buttons) == sorted(str(f.id) for f in follow_ups)
    assert all(b["action_id"] == "followup_claim" for b in buttons)
    for score in range(0, 6):
        assert f"comment number {score}" in str(digest.blocks)
    for follow_up in follow_ups:
        assert [(p.ts, p.kind) for p in follow_up.posts] == [(digest.ts, PostKind.DIGEST)]
    assert await hub_services.outbox.pending_count() == 0

    # And when one of them is claimed, its line shows it and offers Resolve
    await hub_services.follow_ups.claim(str(follow_ups[2].id), Actor(id="slack:UA", name="a"))
    await hub_services.dispatcher.run_once()
    lines = [b for b in slack.messages[("CROUTED", digest.ts)].blocks if "accessory" in b]
    claimed = next(b for b in lines if b["accessory"]["value"] == str(follow_ups[2].id))
    assert "Claimed by <@UA>" in claimed["text"]["text"]
    assert claimed["accessory"]["action_id"] == "followup_resolve"
    assert sum("Claimed by" in b["text"]["text"] for b in lines) == 1


async def test_detractors_also_go_to_the_escalation_channel(
    hub_services: Services, widget: Widget, slack: FakeSlack
) -> None:
    await hub_services.routing.set_defaults("CROUTED", "CESCALATE")
    await hub_services.routing.create_rule(
        RuleDraft(name="Norway", channel_id="CNORWAY", priority=1)
    )

    await widget.answer(2)
    await widget.answer(10)
    await hub_services.dispatcher.run_once()

    assert len(slack.channel_messages("CNORWAY")) == 2
    [escalated] = slack.channel_messages("CESCALATE")
    assert "NPS 2 (detractor)" in str(escalated.blocks)
    assert slack.channel_messages("CROUTED") == []


async def test_the_dispatcher_inside_the_hub_posts_without_help(
    slack_settings: Settings, clock: FrozenClock, slack: FakeSlack
) -> None:
    # Given the hub with its background dispatcher running
    settings = slack_settings.model_copy(
        update={"background_workers": True, "outbox_poll_seconds": 0.05}
    )
    app = create_app(settings, clock)
    async with app.router.lifespan_context(app):
        services: Services = app.state.services
        await route_everything_to(services, "CROUTED")

        # When a comment comes in, it reaches the channel on its own
        await Widget(services).answer(5)
        await eventually(lambda: len(slack.channel_messages("CROUTED")) == 1)


async def test_slack_unreachable_for_a_while_loses_nothing(
    hub_services: Services, widget: Widget, slack: FakeSlack, clock: FrozenClock
) -> None:
    # Given Slack cannot be reached at all
    await route_everything_to(hub_services, "CROUTED")
    await slack.stop()
    response = await widget.answer(4)
    await hub_services.dispatcher.run_once()
    clock.advance(timedelta(minutes=5))
    await hub_services.dispatcher.run_once()
    message = await OutboxMessage.find_one(OutboxMessage.kind == "slack.post")
    assert message is not None and message.status is OutboxStatus.PENDING
    assert message.attempts == 2

    # When it is back, the comment is posted once
    await slack.start()
    clock.advance(timedelta(minutes=5))
    await hub_services.dispatcher.run_once()
    [posted] = slack.channel_messages("CROUTED")
    assert [p.ts for p in (await follow_up_of(response)).posts] == [posted.ts]


async def test_a_claim_while_the_post_is_in_flight_still_shows(
    hub_services: Services, widget: Widget, slack: FakeSlack
) -> None:
    # Given a post that Slack is slow to answer
    await route_everything_to(hub_services, "CROUTED")
    follow_up = await follow_up_of(await widget.answer(4))
    slack.slow_down("chat.postMessage", 0.5)
    posting = asyncio.create_task(hub_services.dispatcher.run_once(limit=1))
    await eventually(lambda: len(slack.calls_to("chat.postMessage")) == 1)

    # When it is claimed meanwhile, and a second hub process delivers the claim's
    # update before the post is recorded
    await hub_services.follow_ups.claim(str(follow_up.id), Actor(id="slack:UAGENT", name="a"))
    other_process = Dispatcher(hub_services.outbox)
    for kind, handler in hub_services.dispatcher.handlers.items():
        other_process.register(kind, handler)
    await other_process.run_once()
    await posting
    await hub_services.dispatcher.run_once()

    # Then the message shows the claim all the same
    [message] = slack.channel_messages("CROUTED")
    assert "Claimed by <@UAGENT>" in str(message.blocks)


async def test_no_second_digest_after_an_unclear_failure(
    hub_services: Services, widget: Widget, slack: FakeSlack, clock: FrozenClock
) -> None:
    # Given a backed-up channel whose digest Slack posts but answers 500
    await route_everything_to(hub_services, "CROUTED")
    slack.fail("chat.postMessage", 429, retry_after=10)
    responses = [await widget.answer(score) for score in range(0, 6)]
    await hub_services.dispatcher.run_once()
    slack.fail("chat.postMessage", 500, apply=True)
    clock.advance(timedelta(seconds=11))
    await hub_services.dispatcher.run_once()
    assert len(slack.channel_messages("CROUTED")) == 1

    # When the dispatcher retries every message of it
    clock.advance(timedelta(minutes=10))
    await hub_services.dispatcher.run_once()

    # Then none is posted again, and each follow-up knows its line in the digest
    [digest] = slack.channel_messages("CROUTED")
    assert len(slack.calls_to("chat.postMessage")) == 2  # the 429, then the digest
    for response in responses:
        posts = (await follow_up_of(response)).posts
        assert [(p.ts, p.kind) for p in posts] == [(digest.ts, PostKind.DIGEST)]
    assert await hub_services.outbox.pending_count() == 0


async def test_a_long_comment_is_posted_whole(
    hub_services: Services, widget: Widget, slack: FakeSlack
) -> None:
    # A 5000-character comment, escaping making it longer still, fits Slack's limits
    await route_everything_to(hub_services, "CROUTED")
    comment = "\n".join(["<b>&" * 600, "x" * 2500])
    await widget.answer(3, comment)

    await hub_services.dispatcher.run_once()

    [message] = slack.channel_messages("CROUTED")
    quoted = "".join(
        b["text"]["text"]
        for b in message.blocks
        if b["type"] == "section" and b["text"]["text"].startswith("> ")
    )
    assert quoted.replace("> ", "").replace("\n", "") == ("&lt;b&gt;&amp;" * 600 + "x" * 2500)
