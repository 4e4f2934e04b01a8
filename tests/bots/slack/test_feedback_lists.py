"""`/feedback unclaimed` and `/feedback mine`: the follow-ups that are in Slack come
first, oldest first, each with its age and a link that Slack renders; the answer says
how many more there are, and a survey key or a channel narrows it down."""

from __future__ import annotations

import re
from datetime import timedelta

from hub.clock import FrozenClock
from hub.models.followup import FollowUp
from hub.services import Services
from tests.support.slack import FakeSlack
from tests.support.slack_sender import SlackSender
from tests.support.waiting import eventually
from tests.support.widget import Widget, follow_up_of

LINK = re.compile(r"<(https://[^|>]+)\|([^>]*)>")
WORKSPACE = "https://acme-feedback.slack.com"


async def answered(
    services: Services, widget: Widget, score: int, survey_key: str = "nps-main"
) -> FollowUp:
    response = await widget.answer(score, "Reports take forever", survey_key=survey_key)
    await services.dispatcher.run_once()
    return await follow_up_of(response)


async def ask(slack: FakeSlack, sender: SlackSender, text: str, name: str) -> str:
    await sender.command(text, "UAGENT", slack.response_url(name))
    await eventually(lambda: bool(slack.calls_to(f"respond:{name}")))
    [reply] = slack.calls_to(f"respond:{name}")
    assert reply.args["response_type"] == "ephemeral"
    return str(reply.args["text"])


def items(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("• ")]


def permalink(follow_up: FollowUp) -> str:
    post = follow_up.posts[0]
    return f"{WORKSPACE}/archives/{post.channel_id}/p{post.ts.replace('.', '')}"


async def test_unclaimed_lists_what_is_in_slack_first_with_links_that_render(
    hub_services: Services,
    widget: Widget,
    slack: FakeSlack,
    sender: SlackSender,
    clock: FrozenClock,
) -> None:
    # Given two old follow-ups that never reached Slack (no channel was set then)
    never = [await answered(hub_services, widget, score) for score in (0, 1)]
    clock.advance(timedelta(hours=2))
    # and two newer ones that are in Slack, three hours and one hour old
    await hub_services.routing.set_defaults("CROUTED", None)
    older = await answered(hub_services, widget, 5)
    clock.advance(timedelta(hours=2))
    newer = await answered(hub_services, widget, 6)
    clock.advance(timedelta(hours=1))

    text = await ask(slack, sender, "unclaimed", "unclaimed")

    # Then the ones in Slack come first, oldest first, with their age and a link
    lines = items(text)
    assert len(lines) == 4
    assert "NPS 5" in lines[0] and "3 h" in lines[0] and permalink(older) in lines[0]
    assert "NPS 6" in lines[1] and "1 h" in lines[1] and permalink(newer) in lines[1]
    # then those not in Slack, said to be so, without a link
    assert "NPS 0" in lines[2] and "NPS 1" in lines[3]
    assert all("not in Slack" in line and "https://" not in line for line in lines[2:])
    # and no Slack code sits inside a link's label: Slack does not render nested codes
    links = LINK.findall(text)
    assert len(links) == 2
    assert all("<" not in label and "|" not in label for _, label in links)
    assert "<!date^" in lines[0]
    assert "more" not in text
    assert never  # listed above


async def test_unclaimed_says_how_many_more_there_are(
    hub_services: Services, widget: Widget, slack: FakeSlack, sender: SlackSender
) -> None:
    await hub_services.routing.set_defaults("CROUTED", None)
    for score in [*range(11), *range(11), 3, 4]:  # 24 follow-ups
        await answered(hub_services, widget, score)

    text = await ask(slack, sender, "unclaimed", "unclaimed")

    assert len(items(text)) == 20
    assert "4 more" in text
    assert "24" in text.splitlines()[0]


async def test_unclaimed_narrows_down_to_a_survey_or_a_channel(
    hub_services: Services, widget: Widget, slack: FakeSlack, sender: SlackSender
) -> None:
    # Given follow-ups of two surveys, detractors also in the escalation channel
    await hub_services.routing.set_defaults("CROUTED", "CESCALATE")
    await answered(hub_services, widget, 9, "nps-main")
    await answered(hub_services, widget, 2, "nps-main")
    await answered(hub_services, widget, 8, "nps-other")

    by_survey = await ask(slack, sender, "unclaimed nps-other", "survey")
    by_channel = await ask(slack, sender, "unclaimed <#CESCALATE|escalations>", "channel")
    by_channel_id = await ask(slack, sender, "unclaimed CESCALATE", "channel-id")
    unknown = await ask(slack, sender, "unclaimed Not_A_Key!", "bad")

    assert [("NPS 8" in line) for line in items(by_survey)] == [True]
    assert "nps-other" in by_survey.splitlines()[0]
    for text in (by_channel, by_channel_id):
        [line] = items(text)
        assert "NPS 2" in line and "/archives/CESCALATE/" in line
    assert items(unknown) == []
    assert "survey key" in unknown and "channel" in unknown


async def test_mine_lists_my_claims_in_slack_first_with_age_and_more(
    hub_services: Services,
    widget: Widget,
    slack: FakeSlack,
    sender: SlackSender,
    clock: FrozenClock,
) -> None:
    await hub_services.routing.set_defaults("CROUTED", None)
    claimed = [await answered(hub_services, widget, score % 11) for score in range(22)]
    others = await answered(hub_services, widget, 7, "nps-other")
    for follow_up in [*claimed, others]:
        await sender.click("followup_claim", str(follow_up.id), "UAGENT")
    await eventually(lambda: len(slack.calls_to("chat.postEphemeral")) == 23)
    clock.advance(timedelta(hours=5))

    everything = await ask(slack, sender, "mine", "mine")
    of_survey = await ask(slack, sender, "mine nps-other", "mine-survey")

    lines = items(everything)
    assert len(lines) == 20 and "3 more" in everything
    assert permalink(claimed[0]) in lines[0] and "5 h" in lines[0]
    assert all("<" not in label for _, label in LINK.findall(everything))
    [line] = items(of_survey)
    assert "NPS 7" in line and permalink(others) in line
