"""The follow-ups board as a Slack-signed-in agent: the columns, claim, unclaim,
resolve, reassign through the GraphQL mutations as that person, the Slack message
following a console claim, conflicts, double submits, CSRF-less posts and roles."""

from __future__ import annotations

import pytest

from hub.models.common import Role
from hub.models.followup import FollowUp, FollowUpStatus
from hub.services import Services
from tests.support.console import ConsoleClient, text_of
from tests.support.console_board import follow_up_links, sign_in_with_slack_as
from tests.support.slack import FakeSlack
from tests.support.widget import Widget, follow_up_of


@pytest.fixture
def widget(services: Services) -> Widget:
    return Widget(services)


async def _posted(services: Services, widget: Widget, score: int = 3) -> FollowUp:
    """A follow-up whose Slack message is in #CROUTED."""
    await services.routing.set_defaults("CROUTED", None)
    follow_up = await follow_up_of(await widget.answer(score, "The export is broken"))
    await services.dispatcher.run_once()
    return follow_up


async def _status(follow_up: FollowUp) -> FollowUp:
    found = await FollowUp.get(follow_up.id)
    assert found is not None
    return found


async def test_a_claim_from_the_board_is_the_agents_and_the_slack_message_follows(
    console: ConsoleClient, services: Services, widget: Widget, slack: FakeSlack
) -> None:
    # Given a follow-up posted to Slack and an agent signed in with Slack
    follow_up = await _posted(services, widget)
    actor = await sign_in_with_slack_as(console, services, slack, "U0ANA", "Ana Agent")
    board = await console.open("/console/follow-ups")
    assert follow_up_links(board) == [str(follow_up.id)]
    assert 'data-live="follow-ups"' in board

    # When she claims it from its page
    await console.open(f"/console/follow-ups/{follow_up.id}")
    answer = await console.post(f"/console/follow-ups/{follow_up.id}/claim")

    # Then she is back on the page with a notice, and the claim is hers
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/console/follow-ups/{follow_up.id}?done=claimed"
    page = await console.open(answer.headers["location"])
    assert "You claimed this follow-up." in text_of(page)
    claimed = await _status(follow_up)
    assert claimed.status is FollowUpStatus.CLAIMED
    assert claimed.claimed_by is not None
    assert (claimed.claimed_by.id, claimed.claimed_by.name) == (actor, "Ana Agent")

    # And the Slack message says who claimed it (a Slack user is mentioned)
    await services.dispatcher.run_once()
    [update] = slack.calls_to("chat.update")
    assert update.args["channel"] == "CROUTED"
    assert "Claimed by <@U0ANA>" in str(update.args["blocks"])
    [message] = slack.channel_messages("CROUTED")
    assert "Claimed by <@U0ANA>" in str(message.blocks)

    # And the board shows it in the claimed column as hers
    board = await console.open("/console/follow-ups")
    claimed_column = board.split('id="column-claimed"')[1].split("</section>")[0]
    assert str(follow_up.id) in claimed_column and "(you)" in claimed_column


async def test_claiming_twice_is_done_once(
    console: ConsoleClient, services: Services, widget: Widget, slack: FakeSlack
) -> None:
    follow_up = await _posted(services, widget)
    await sign_in_with_slack_as(console, services, slack, "U0ANA", "Ana Agent")
    await console.open(f"/console/follow-ups/{follow_up.id}")
    first = await console.post(f"/console/follow-ups/{follow_up.id}/claim")
    claimed = await _status(follow_up)
    again = await console.post(f"/console/follow-ups/{follow_up.id}/claim")
    assert first.status_code == again.status_code == 303
    assert again.headers["location"].endswith("?done=claimed")
    assert (await _status(follow_up)).version == claimed.version
    await services.dispatcher.run_once()
    assert len(slack.calls_to("chat.update")) == 1


async def test_someone_elses_claim_is_a_conflict_and_changes_nothing(
    console: ConsoleClient,
    second_browser: ConsoleClient,
    services: Services,
    widget: Widget,
    slack: FakeSlack,
) -> None:
    follow_up = await _posted(services, widget)
    await sign_in_with_slack_as(console, services, slack, "U0ANA", "Ana Agent")
    await sign_in_with_slack_as(second_browser, services, slack, "U0BOB", "Bob Agent")
    await console.open(f"/console/follow-ups/{follow_up.id}")
    await second_browser.open(f"/console/follow-ups/{follow_up.id}")
    assert (await console.post(f"/console/follow-ups/{follow_up.id}/claim")).status_code == 303
    before = await _status(follow_up)

    # Bob, on the page he opened before Ana's claim, claims too
    late = await second_browser.post(f"/console/follow-ups/{follow_up.id}/claim")
    assert late.status_code == 409
    assert "Nothing was changed." in text_of(late.text)
    assert "Ana Agent" in text_of(late.text)
    # He may not hand it back either, nor resolve it
    assert (
        await second_browser.post(f"/console/follow-ups/{follow_up.id}/unclaim")
    ).status_code == 409
    resolved = await second_browser.post(
        f"/console/follow-ups/{follow_up.id}/resolve", {"note": "Done", "informed": "yes"}
    )
    assert resolved.status_code == 409
    after = await _status(follow_up)
    assert after.claimed_by == before.claimed_by and after.version == before.version


async def test_unclaim_resolve_and_reopen_as_the_agent(
    console: ConsoleClient, services: Services, widget: Widget, slack: FakeSlack
) -> None:
    follow_up = await _posted(services, widget)
    await sign_in_with_slack_as(console, services, slack, "U0ANA", "Ana Agent")
    await console.open(f"/console/follow-ups/{follow_up.id}")
    await console.post(f"/console/follow-ups/{follow_up.id}/claim")

    unclaimed = await console.post(f"/console/follow-ups/{follow_up.id}/unclaim")
    assert unclaimed.headers["location"].endswith("?done=unclaimed")
    assert (await _status(follow_up)).status is FollowUpStatus.OPEN

    await console.open(f"/console/follow-ups/{follow_up.id}")
    resolved = await console.post(
        f"/console/follow-ups/{follow_up.id}/resolve",
        {"note": "Called them.\nFixed the export.", "informed": "yes"},
    )
    assert resolved.headers["location"].endswith("?done=resolved")
    done = await _status(follow_up)
    assert done.status is FollowUpStatus.RESOLVED
    assert done.resolution is not None
    assert done.resolution.note == "Called them.\nFixed the export."
    assert done.resolution.customer_informed is True
    assert done.resolution.by.name == "Ana Agent"
    page = await console.open(resolved.headers["location"])
    assert "Resolved by Ana Agent" in text_of(page)

    # Resolving again is refused and changes nothing
    again = await console.post(
        f"/console/follow-ups/{follow_up.id}/resolve", {"note": "Again", "informed": "yes"}
    )
    assert again.status_code == 409
    assert (await _status(follow_up)).version == done.version

    await console.open(f"/console/follow-ups/{follow_up.id}")
    reopened = await console.post(
        f"/console/follow-ups/{follow_up.id}/reopen", {"reason": "They wrote again"}
    )
    assert reopened.headers["location"].endswith("?done=reopened")
    assert (await _status(follow_up)).status is FollowUpStatus.OPEN


async def test_a_resolution_without_a_note_is_refused(
    console: ConsoleClient, services: Services, widget: Widget, slack: FakeSlack
) -> None:
    follow_up = await _posted(services, widget)
    await sign_in_with_slack_as(console, services, slack, "U0ANA", "Ana Agent")
    await console.open(f"/console/follow-ups/{follow_up.id}")
    answer = await console.post(f"/console/follow-ups/{follow_up.id}/resolve", {"note": " "})
    assert answer.status_code == 400
    assert "Nothing was changed." in text_of(answer.text)
    assert (await _status(follow_up)).status is FollowUpStatus.OPEN


async def test_reassign_to_another_slack_user(
    console: ConsoleClient, services: Services, widget: Widget, slack: FakeSlack
) -> None:
    follow_up = await _posted(services, widget)
    await sign_in_with_slack_as(console, services, slack, "U0ANA", "Ana Agent")
    await console.open(f"/console/follow-ups/{follow_up.id}")
    answer = await console.post(f"/console/follow-ups/{follow_up.id}/reassign", {"to": "U0BOB"})
    assert answer.status_code == 303, text_of(answer.text)
    assert answer.headers["location"].endswith("?done=reassigned")
    handed = await _status(follow_up)
    assert handed.status is FollowUpStatus.CLAIMED
    assert handed.claimed_by is not None and handed.claimed_by.id == "slack:U0BOB"
    assert handed.assigned_by is not None and handed.assigned_by.name == "Ana Agent"

    # Back to the queue (Ana may: she handed it; Bob's claim is his, so she may not)
    await console.open(f"/console/follow-ups/{follow_up.id}")
    refused = await console.post(f"/console/follow-ups/{follow_up.id}/reassign", {"to": ""})
    assert refused.status_code == 409
    bad = await console.post(f"/console/follow-ups/{follow_up.id}/reassign", {"to": "not a user"})
    assert bad.status_code in (400, 409)
    assert (await _status(follow_up)).version == handed.version


async def test_a_post_without_the_csrf_token_changes_nothing(
    console: ConsoleClient, services: Services, widget: Widget, slack: FakeSlack
) -> None:
    follow_up = await _posted(services, widget)
    await sign_in_with_slack_as(console, services, slack, "U0ANA", "Ana Agent")
    answer = await console.http.post(
        f"/console/follow-ups/{follow_up.id}/claim", data={"note": "no token"}
    )
    assert answer.status_code == 403
    forged = await console.post(f"/console/follow-ups/{follow_up.id}/claim", csrf="forged")
    assert forged.status_code == 403
    assert (await _status(follow_up)).status is FollowUpStatus.OPEN


async def test_an_unknown_follow_up_is_a_404(
    console: ConsoleClient, services: Services, slack: FakeSlack
) -> None:
    await sign_in_with_slack_as(console, services, slack, "U0ANA", "Ana Agent")
    assert (await console.get("/console/follow-ups/5f0000000000000000000000")).status_code == 404
    assert (await console.get("/console/follow-ups/not-an-id")).status_code == 404
    await console.open("/console/follow-ups")
    posted = await console.post("/console/follow-ups/5f0000000000000000000000/claim")
    assert posted.status_code == 404


async def test_a_viewer_cannot_open_the_board(
    console: ConsoleClient, services: Services, widget: Widget, slack: FakeSlack
) -> None:
    follow_up = await _posted(services, widget)
    await sign_in_with_slack_as(console, services, slack, "U0VIEW", "Vera", Role.VIEWER)
    assert (await console.get("/console/follow-ups")).status_code == 403
    assert (await console.get(f"/console/follow-ups/{follow_up.id}")).status_code == 403
    await console.open("/console/responses")
    claim = await console.post(f"/console/follow-ups/{follow_up.id}/claim")
    assert claim.status_code == 403
    assert (await _status(follow_up)).status is FollowUpStatus.OPEN
    assert "/console/follow-ups" not in await console.open("/console/responses")


async def test_an_expired_session_changes_nothing(
    console: ConsoleClient, services: Services, widget: Widget, slack: FakeSlack
) -> None:
    follow_up = await _posted(services, widget)
    await sign_in_with_slack_as(console, services, slack, "U0ANA", "Ana Agent")
    await console.open(f"/console/follow-ups/{follow_up.id}")
    await console.sign_out()
    answer = await console.post(f"/console/follow-ups/{follow_up.id}/claim")
    assert answer.status_code == 401
    assert (await _status(follow_up)).status is FollowUpStatus.OPEN
