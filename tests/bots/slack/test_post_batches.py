"""A channel's waiting comments are posted a batch at a time: digests when it is busy,
built from one read of the batch however many wait, and every comment in Slack
exactly once through 429s."""

from __future__ import annotations

import collections
from datetime import timedelta

from bots.slack import blocks
from hub.clock import FrozenClock
from hub.db import Database
from hub.models.followup import FollowUp
from hub.services import Services
from tests.support.commands import counting_commands
from tests.support.slack import FakeSlack
from tests.support.widget import Widget


def posted_follow_ups(slack: FakeSlack, channel: str) -> collections.Counter[str]:
    """How many channel messages name each follow-up."""
    seen: collections.Counter[str] = collections.Counter()
    for message in slack.channel_messages(channel):
        seen.update(blocks.follow_up_ids_in(message.metadata)[1])
    return seen


async def deliver_all(services: Services, clock: FrozenClock) -> None:
    """Run the dispatcher, letting pauses and backoffs run out, until nothing waits."""
    for _ in range(20):
        await services.dispatcher.run_once()
        if not await services.outbox.pending_count():
            return
        clock.advance(timedelta(seconds=30))
    raise AssertionError("the outbox did not empty")


async def test_a_busy_channel_is_posted_from_the_same_reads_whatever_waits(
    hub_services: Services,
    widget: Widget,
    slack: FakeSlack,
    mongo_uri: str,
    database: Database,
) -> None:
    await hub_services.routing.set_defaults("CBUSY", None)

    async def deliver(comments: int) -> list[str]:
        for number in range(comments):
            await widget.answer(number % 11, f"comment {number}")
        async with counting_commands(mongo_uri, database) as counter:
            await hub_services.dispatcher.run_once()
            return list(counter.commands)

    # Given 15, then 40 comments waiting for one channel (more than the threshold)
    few = await deliver(15)
    many = await deliver(40)

    # Then each backlog is one digest, and both cost the same database commands
    digests = slack.channel_messages("CBUSY")
    assert [message.text for message in digests] == [
        "15 new feedback comments",
        "40 new feedback comments",
    ]
    assert few == many
    assert many.count("find") <= 6  # pauses, claim, read back, follow-ups, responses, masks
    seen = posted_follow_ups(slack, "CBUSY")
    assert len(seen) == 55 and set(seen.values()) == {1}


async def test_a_backlog_larger_than_a_digest_goes_out_in_full_digests(
    hub_services: Services, widget: Widget, slack: FakeSlack, clock: FrozenClock
) -> None:
    await hub_services.routing.set_defaults("CBUSY", None)
    for number in range(90):
        await widget.answer(9, f"comment {number}")

    await deliver_all(hub_services, clock)

    digests = slack.channel_messages("CBUSY")
    assert [message.text for message in digests] == [
        f"{lines} new feedback comments" for lines in (40, 40, 10)
    ]
    assert len(slack.calls_to("chat.postMessage")) == 3
    seen = posted_follow_ups(slack, "CBUSY")
    assert len(seen) == 90 and set(seen.values()) == {1}


async def test_429s_for_part_of_the_run_lose_and_repeat_nothing(
    hub_services: Services, widget: Widget, slack: FakeSlack, clock: FrozenClock
) -> None:
    # Given comments for two channels, and Slack answering 429 to the first posts
    await hub_services.routing.set_defaults("CFIRST", "CSECOND")
    for number in range(70):
        await widget.answer(number % 11, f"comment {number}")  # detractors go to both
    slack.fail("chat.postMessage", 429, times=3, retry_after=20)

    # When the dispatcher runs until nothing waits
    await deliver_all(hub_services, clock)

    # Then every follow-up is in each of its channels exactly once
    follow_ups = await FollowUp.find_all().to_list()
    for channel in ("CFIRST", "CSECOND"):
        expected = {str(f.id) for f in follow_ups if channel in f.channels}
        seen = posted_follow_ups(slack, channel)
        assert set(seen) == expected
        assert set(seen.values()) == {1}
    # and the three 429s cost a call each, nothing more
    posted = slack.channel_messages("CFIRST") + slack.channel_messages("CSECOND")
    assert len(slack.calls_to("chat.postMessage")) == len(posted) + 3
    assert await hub_services.outbox.pending_count() == 0
