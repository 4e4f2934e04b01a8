"""The follow-ups board signed in with API keys (where Slack sign-in is not set up):
an admin works any follow-up, the actor is the key's holder, and the Slack message
still follows."""

from __future__ import annotations

import pytest

from hub.models.common import Role
from hub.models.followup import FollowUp, FollowUpStatus
from hub.services import Services
from tests.support.console import ConsoleClient, text_of
from tests.support.console_board import follow_up_links, sign_in_as
from tests.support.slack import FakeSlack
from tests.support.widget import Widget, follow_up_of


@pytest.fixture
def slack_sign_in() -> bool:
    return False


@pytest.fixture
def widget(services: Services) -> Widget:
    return Widget(services)


async def _posted(services: Services, widget: Widget) -> FollowUp:
    await services.routing.set_defaults("CROUTED", None)
    follow_up = await follow_up_of(await widget.answer(2, "Nothing loads"))
    await services.dispatcher.run_once()
    return follow_up


async def _current(follow_up: FollowUp) -> FollowUp:
    found = await FollowUp.get(follow_up.id)
    assert found is not None
    return found


async def test_an_admin_claims_unclaims_reassigns_and_resolves(
    console: ConsoleClient, services: Services, widget: Widget, slack: FakeSlack
) -> None:
    follow_up = await _posted(services, widget)
    actor = await sign_in_as(console, services, Role.ADMIN, "Ada Admin")
    path = f"/console/follow-ups/{follow_up.id}"

    await console.open(path)
    assert (await console.post(f"{path}/claim")).headers["location"] == f"{path}?done=claimed"
    claimed = await _current(follow_up)
    assert claimed.claimed_by is not None
    assert (claimed.claimed_by.id, claimed.claimed_by.name) == (actor, "Ada Admin")
    await services.dispatcher.run_once()
    [message] = slack.channel_messages("CROUTED")
    assert "Claimed by Ada Admin" in str(message.blocks)

    await console.open(path)
    assert (await console.post(f"{path}/unclaim")).status_code == 303
    assert (await _current(follow_up)).status is FollowUpStatus.OPEN

    await console.open(path)
    handed = await console.post(f"{path}/reassign", {"to": "slack:U0BOB"})
    assert handed.status_code == 303, text_of(handed.text)
    assert (await _current(follow_up)).claimed_by is not None

    # An admin may resolve what another claimed
    await console.open(path)
    resolved = await console.post(f"{path}/resolve", {"note": "Refunded", "informed": "no"})
    assert resolved.headers["location"] == f"{path}?done=resolved"
    done = await _current(follow_up)
    assert done.status is FollowUpStatus.RESOLVED
    assert done.resolution is not None
    assert (done.resolution.by.name, done.resolution.customer_informed) == ("Ada Admin", False)

    board = await console.open("/console/follow-ups")
    resolved_column = board.split('id="column-resolved"')[1].split("</section>")[0]
    assert str(follow_up.id) in resolved_column


async def test_an_admin_takes_back_another_agents_claim(
    console: ConsoleClient,
    second_browser: ConsoleClient,
    services: Services,
    widget: Widget,
) -> None:
    follow_up = await _posted(services, widget)
    await sign_in_as(console, services, Role.AGENT, "Ana Agent")
    await sign_in_as(second_browser, services, Role.ADMIN, "Ada Admin")
    path = f"/console/follow-ups/{follow_up.id}"
    await console.open(path)
    await console.post(f"{path}/claim")

    page = await second_browser.open(path)
    assert "Claimed by" in text_of(page) and "Ana Agent" in text_of(page)
    assert (await second_browser.post(f"{path}/unclaim")).status_code == 303
    assert (await _current(follow_up)).status is FollowUpStatus.OPEN


async def test_resolved_follow_ups_are_paged(
    console: ConsoleClient, services: Services, widget: Widget
) -> None:
    await sign_in_as(console, services, Role.ADMIN, "Ada Admin")
    ids = []
    for number in range(22):
        follow_up = await follow_up_of(await widget.answer(1, f"Comment {number}"))
        ids.append(str(follow_up.id))
        await console.open(f"/console/follow-ups/{follow_up.id}")
        await console.post(
            f"/console/follow-ups/{follow_up.id}/resolve", {"note": "Done", "informed": "no"}
        )
    board = await console.open("/console/follow-ups")
    assert "Resolved (22)" in text_of(board)
    [more] = [part.split('"')[0] for part in board.split('href="')[1:] if 'rel="next"' in part]
    assert follow_up_links(board.split('id="column-resolved"')[1]) == ids[::-1][:20]
    second = await console.open(more)
    assert follow_up_links(second.split('id="column-resolved"')[1]) == ids[1::-1]
    bad = await console.get("/console/follow-ups?after=nonsense")
    assert bad.status_code == 400
