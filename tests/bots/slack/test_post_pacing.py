"""Posts keep to Slack's rate of about one message a second per channel
(HUB_SLACK_POST_GAP_SECONDS) instead of running into 429s and waiting out their
whole-second Retry-After."""

from __future__ import annotations

import asyncio
import collections

import pytest

from bots.slack import blocks
from hub.models.followup import FollowUp
from hub.services import Services
from hub.settings import Settings
from tests.support.slack import FakeSlack
from tests.support.waiting import eventually
from tests.support.widget import Widget


@pytest.fixture
def slack_settings(slack_settings: Settings) -> Settings:
    return slack_settings.model_copy(update={"slack_post_gap_seconds": 1.0})


async def test_a_backlog_in_two_channels_meets_no_429(
    hub_services: Services, widget: Widget, slack: FakeSlack
) -> None:
    # Given Slack allowing one post a second per channel, and 90 comments for one
    # channel and their detractors for a second one as well
    slack.posts_per_second = 1.0
    await hub_services.routing.set_defaults("CFIRST", "CSECOND")
    for number in range(90):
        await widget.answer(number % 11, f"comment {number}")
    follow_ups = await FollowUp.find_all().to_list()

    # When the dispatcher delivers them as a hub process does
    task = asyncio.create_task(hub_services.dispatcher.run_forever())
    try:

        async def all_posted_or_throttled() -> bool:
            # A 429 pauses the channel on the test's frozen clock: nothing more comes.
            return slack.throttled > 0 or not await FollowUp.find({"posts": {"$size": 0}}).count()

        await eventually(all_posted_or_throttled, within=120)
    finally:
        hub_services.dispatcher.stop()
        await task

    # Then no post was answered 429, and every follow-up is in each of its channels
    # once, in full digests
    assert slack.throttled == 0
    for channel in ("CFIRST", "CSECOND"):
        seen: collections.Counter[str] = collections.Counter()
        for message in slack.channel_messages(channel):
            seen.update(blocks.follow_up_ids_in(message.metadata)[1])
        assert set(seen) == {str(f.id) for f in follow_ups if channel in f.channels}
        assert set(seen.values()) == {1}
    assert [m.text for m in slack.channel_messages("CFIRST")] == [
        f"{lines} new feedback comments" for lines in (40, 40, 10)
    ]
