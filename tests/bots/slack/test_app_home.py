"""The App Home: opening the bot's Home tab publishes the user's claimed follow-ups,
the open ones in the channels they are in (oldest first, with how long each waited)
and their team's figures; its buttons work as in the channels."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from hub.clock import FrozenClock
from hub.models.common import Metric
from hub.models.followup import FollowUp, FollowUpStatus
from hub.models.routing import RoutingMatch
from hub.services import Services
from hub.services.followups.routing import RuleDraft
from tests.support.slack import FakeSlack
from tests.support.slack_sender import SlackSender
from tests.support.waiting import eventually
from tests.support.widget import Widget, follow_up_of


def texts(view: dict[str, Any]) -> list[str]:
    """The mrkdwn and plain texts of a view's blocks, in order."""
    found = []
    for block in view["blocks"]:
        if "text" in block:
            found.append(str(block["text"]["text"]))
        for element in block.get("elements") or []:
            if "text" in element and isinstance(element["text"], str):
                found.append(element["text"])
    return found


def buttons(view: dict[str, Any]) -> list[tuple[str, str]]:
    """(button, follow-up id) of every button, in order."""
    return [
        (element["text"]["text"], element["value"])
        for block in view["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
    ]


async def published(slack: FakeSlack, user: str, count: int) -> dict[str, Any]:
    await eventually(lambda: len(slack.calls_to("views.publish")) == count)
    return slack.homes[user]


async def given_two_channels(
    services: Services, widget: Widget, clock: FrozenClock, slack: FakeSlack
) -> dict[str, FollowUp]:
    """Three open follow-ups in CSUPPORT (where UAGENT is, among 250 members), one in
    CSALES (where UAGENT is not), a day apart; each channel has its own survey."""
    await services.routing.create_rule(
        RuleDraft(name="Sales", channel_id="CSALES", match=RoutingMatch(survey_key="csat-sales"))
    )
    await services.routing.set_defaults("CSUPPORT", None)
    slack.members["CSUPPORT"] = [f"U{n:04d}" for n in range(249)] + ["UAGENT"]
    slack.members["CSALES"] = ["USALES"]
    found = {}
    for name, score in (("oldest", 3), ("middle", 9), ("newest", 6)):
        found[name] = await follow_up_of(await widget.answer(score, f"The {name} comment"))
        clock.advance(timedelta(days=1))
    sales = await widget.answer(
        2, "Pricing is unclear", survey_key="csat-sales", metric=Metric.CSAT
    )
    found["sales"] = await follow_up_of(sales)
    clock.advance(timedelta(hours=5))
    await services.dispatcher.run_once()
    return found


async def test_the_home_tab_shows_the_users_work_oldest_first_with_age(
    hub_services: Services, widget: Widget, clock: FrozenClock, slack: FakeSlack,
    sender: SlackSender,
) -> None:  # fmt: skip
    await given_two_channels(hub_services, widget, clock, slack)

    # When UAGENT opens the Home tab
    answer = await sender.open_home("UAGENT", "Ev0001")
    assert answer.status_code == 200
    view = await published(slack, "UAGENT", 1)

    # Then the open follow-ups of their channel are listed oldest first, with their age
    assert view["type"] == "home"
    shown = "\n".join(texts(view))
    assert shown.index("The oldest comment") < shown.index("The middle comment")
    assert shown.index("The middle comment") < shown.index("The newest comment")
    assert "waiting 3 d" in shown and "waiting 2 d" in shown and "waiting 29 h" in shown
    assert "Pricing is unclear" not in shown  # CSALES is not theirs
    assert "You have no claimed follow-ups." in shown
    assert [label for label, _ in buttons(view)] == ["Claim", "Resolve", "Assign"] * 3

    # And the figures are their team's: the survey of their channel, 30 days
    assert "your team's surveys `nps-main`" in shown
    assert "NPS *-33* from 3 responses" in shown
    assert "CSAT" not in shown


async def test_a_retried_event_publishes_once(
    hub_services: Services, widget: Widget, clock: FrozenClock, slack: FakeSlack,
    sender: SlackSender,
) -> None:  # fmt: skip
    await given_two_channels(hub_services, widget, clock, slack)

    await sender.open_home("UAGENT", "Ev0002")
    await published(slack, "UAGENT", 1)
    await sender.open_home("UAGENT", "Ev0002", retry=1)
    await sender.open_home("UAGENT", "Ev0003")  # opened again: a new event
    await published(slack, "UAGENT", 2)

    assert len(slack.calls_to("views.publish")) == 2


async def test_buttons_on_the_home_tab_work_and_the_tab_follows(
    hub_services: Services, widget: Widget, clock: FrozenClock, slack: FakeSlack,
    sender: SlackSender,
) -> None:  # fmt: skip
    found = await given_two_channels(hub_services, widget, clock, slack)
    await sender.open_home("UAGENT", "Ev0004")
    await published(slack, "UAGENT", 1)
    oldest = str(found["oldest"].id)

    # When UAGENT claims the oldest from the Home tab
    await sender.click_in_home("followup_claim", oldest, "UAGENT")
    view = await published(slack, "UAGENT", 2)

    # Then it is theirs, the contact details come as a direct message, and the tab
    # lists it as claimed, with the buttons of a claimed follow-up
    claimed = await FollowUp.get(found["oldest"].id)
    assert claimed is not None and claimed.status is FollowUpStatus.CLAIMED
    shown = "\n".join(texts(view))
    assert shown.index("Claimed by you") < shown.index("The oldest comment")
    assert shown.index("The oldest comment") < shown.index("Open in your channels")
    assert buttons(view)[:4] == [
        ("Unclaim", oldest),
        ("Resolve", oldest),
        ("Reassign", oldest),
        ("Reply to customer", oldest),
    ]
    await hub_services.dispatcher.run_once()
    [dm] = [c for c in slack.calls_to("chat.postMessage") if c.args["channel"] == "DUAGENT"]
    assert "person1@example.org" in str(dm.args["text"])

    # And the channel message follows too
    [message] = [m for m in slack.channel_messages("CSUPPORT") if "oldest" in json.dumps(m.blocks)]
    assert "Claimed by <@UAGENT>" in json.dumps(message.blocks)

    # When they resolve it from a form opened there, the tab is published again
    await sender.click_in_home("followup_resolve", oldest, "UAGENT")
    await eventually(lambda: len(slack.calls_to("views.open")) == 1)
    assert json.loads(slack.opened_views()[0]["private_metadata"])["channel_id"] is None
    await sender.submit_resolution(oldest, "UAGENT", "Fixed", True, channel=None)
    view = await published(slack, "UAGENT", 3)
    assert "You have no claimed follow-ups." in "\n".join(texts(view))


async def test_a_long_list_says_how_many_more(
    hub_services: Services, widget: Widget, clock: FrozenClock, slack: FakeSlack,
    sender: SlackSender,
) -> None:  # fmt: skip
    await hub_services.routing.set_defaults("CSUPPORT", None)
    slack.members["CSUPPORT"] = ["UAGENT"]
    for number in range(13):
        await widget.answer(7, f"Comment number {number}")
        clock.advance(timedelta(minutes=1))
    await hub_services.dispatcher.run_once()

    await sender.open_home("UAGENT", "Ev0005")
    view = await published(slack, "UAGENT", 1)

    shown = "\n".join(texts(view))
    assert "Comment number 9" in shown and "Comment number 10" not in shown
    assert "…and 3 more" in shown
    assert len(view["blocks"]) <= 100


async def test_someone_in_no_channel_sees_no_follow_ups_and_every_survey(
    hub_services: Services, widget: Widget, clock: FrozenClock, slack: FakeSlack,
    sender: SlackSender,
) -> None:  # fmt: skip
    await given_two_channels(hub_services, widget, clock, slack)

    await sender.open_home("UNEW", "Ev0006")
    view = await published(slack, "UNEW", 1)

    shown = "\n".join(texts(view))
    assert "No open follow-ups in the channels you are in." in shown
    assert "*Last 30 days, all surveys*" in shown
    assert "CSAT" in shown
