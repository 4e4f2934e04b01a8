"""Delivered Slack posts, updates and digests leave nothing in the outbox that names
the person they were about: the message's place (channel and ts) is kept by the
follow-up, and the outbox entry keeps ids only."""

from __future__ import annotations

from datetime import timedelta

from hub.clock import FrozenClock
from hub.models.outbox import OutboxMessage, OutboxStatus
from hub.services import Services
from tests.support.slack import FakeSlack
from tests.support.slack_hub import DIGEST_THRESHOLD
from tests.support.widget import Widget, follow_up_of


async def _delivered() -> list[OutboxMessage]:
    messages = await OutboxMessage.find_all().to_list()
    assert messages and {m.status for m in messages} == {OutboxStatus.DELIVERED}
    return messages


async def test_posts_and_updates_keep_no_subject_once_delivered(
    hub_services: Services, widget: Widget, slack: FakeSlack
) -> None:
    await hub_services.routing.set_defaults("CROUTED", "CESCALATE")
    response = await widget.answer(1, "Slow invoices")
    await hub_services.dispatcher.run_once()
    await hub_services.follow_ups.refresh_subject(response.user.id)
    await hub_services.dispatcher.run_once()

    messages = await _delivered()
    assert len(messages) == 3  # two posts and one update
    assert all(m.subject_ids == [] and m.payload == {} for m in messages)
    assert all(response.user.id not in m.key for m in messages)
    # The follow-up still knows where its messages are, for later updates
    follow_up = await follow_up_of(response)
    assert {post.channel_id for post in follow_up.posts} == {"CROUTED", "CESCALATE"}


async def test_the_lines_of_a_digest_keep_no_subject_once_delivered(
    hub_services: Services, widget: Widget, slack: FakeSlack, clock: FrozenClock
) -> None:
    await hub_services.routing.set_defaults("CROUTED", None)
    slack.fail("chat.postMessage", 429, retry_after=60)
    await widget.answer(3)
    await hub_services.dispatcher.run_once()
    for score in range(DIGEST_THRESHOLD + 1):
        await widget.answer(score, f"comment number {score}")
    clock.advance(timedelta(seconds=61))
    await hub_services.dispatcher.run_once()

    assert len(slack.channel_messages("CROUTED")) == 1
    messages = await _delivered()
    assert len(messages) == DIGEST_THRESHOLD + 2
    assert all(m.subject_ids == [] and m.payload == {} for m in messages)
