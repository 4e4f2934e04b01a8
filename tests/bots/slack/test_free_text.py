"""The employee channel is read by every employee: comments and resolution notes
reach Slack with e-mail addresses, phone numbers, user ids and usernames masked."""

from __future__ import annotations

from datetime import timedelta

from hub.clock import FrozenClock
from hub.models.followup import Actor
from hub.services import Services
from tests.support.slack import FakeSlack
from tests.support.widget import Widget, follow_up_of

# The widget's people are user-<n>, person<n>, person<n>@example.org.
QUOTING = "Ask user-1 or PERSON1 (person1@example.org), call +47 22 33 44 55. I am person2."
MASKED = "Ask [user] or [user] ([email]), call [phone]. I am [user]."
SECRETS = ("user-1", "person1", "PERSON1", "example.org", "22 33", "person2")


def assert_masked(shown: str) -> None:
    for secret in SECRETS:
        assert secret not in shown, secret


async def test_the_posted_comment_and_the_resolution_note_are_masked(
    hub_services: Services, widget: Widget, slack: FakeSlack
) -> None:
    # Given person 1 answered, and person 2's comment quotes person 1 and themself
    await hub_services.routing.set_defaults("CROUTED", None)
    await widget.answer(9, "Fine")
    response = await widget.answer(3, QUOTING)

    # When it is posted, and resolved with a note quoting person 1
    await hub_services.dispatcher.run_once()
    follow_up = await follow_up_of(response)
    [post] = follow_up.posts
    posted = str(slack.messages[("CROUTED", post.ts)].blocks)
    staff = Actor(id="slack:UAGENT", name="agent")
    await hub_services.follow_ups.claim(str(follow_up.id), staff)
    note = "Mailed person1@example.org and user-1"
    await hub_services.follow_ups.resolve(str(follow_up.id), staff, note, True)
    await hub_services.dispatcher.run_once()

    # Then neither the post nor its update names anyone
    assert MASKED in posted
    assert_masked(posted)
    updated = str(slack.messages[("CROUTED", post.ts)].blocks)
    assert "Mailed [email] and [user]" in updated and MASKED in updated
    assert_masked(updated)


async def test_a_digest_masks_every_line(
    hub_services: Services, widget: Widget, slack: FakeSlack, clock: FrozenClock
) -> None:
    # Given a paused channel while more comments than the threshold come in
    await hub_services.routing.set_defaults("CROUTED", None)
    slack.fail("chat.postMessage", 429, retry_after=60)
    await widget.answer(9, "Fine")
    await hub_services.dispatcher.run_once()
    await widget.answer(3, QUOTING)
    for score in range(4):
        await widget.answer(score, f"comment number {score}")

    # When the pause ends, one digest goes out
    clock.advance(timedelta(seconds=61))
    await hub_services.dispatcher.run_once()

    [digest] = slack.channel_messages("CROUTED")
    shown = str(digest.blocks)
    assert MASKED in shown and "comment number 3" in shown
    assert_masked(shown)
