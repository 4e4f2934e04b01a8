"""Hostile Slack payloads: button values for unknown follow-ups, tampered values,
unknown actions and a resolution for someone else's follow-up are harmless: Slack gets
its ack, nothing changes, and nothing is posted but a private note to the clicker."""

from __future__ import annotations

import asyncio
import json
import urllib.parse

import pytest

from hub.models.followup import FollowUp, FollowUpStatus
from hub.services import Services
from tests.support.slack import FakeSlack
from tests.support.slack_sender import SlackSender
from tests.support.waiting import eventually
from tests.support.widget import Widget, follow_up_of


async def posted(services: Services, widget: Widget) -> FollowUp:
    await services.routing.set_defaults("CROUTED", None)
    response = await widget.answer(3, "Slow reports")
    await services.dispatcher.run_once()
    return await follow_up_of(response)


async def state_of(follow_up: FollowUp) -> tuple[FollowUpStatus, object]:
    found = await FollowUp.get(follow_up.id)
    assert found is not None
    return found.status, found.claimed_by


@pytest.mark.parametrize(
    "value",
    [
        "6b0900000000000000000000",  # a well-formed id of no follow-up
        "not-an-id",
        '{"$ne": null}',
        "",
        "x" * 5000,
    ],
)
async def test_tampered_button_values_change_nothing(
    value: str,
    hub_services: Services,
    widget: Widget,
    slack: FakeSlack,
    sender: SlackSender,
) -> None:
    follow_up = await posted(hub_services, widget)
    before = await state_of(follow_up)
    posts_before = len(slack.calls_to("chat.postMessage"))

    for action in ("followup_claim", "followup_unclaim", "followup_resolve"):
        answer = await sender.click(action, value, "UATTACKER")
        assert answer.status_code == 200
    await asyncio.sleep(0.3)
    await hub_services.dispatcher.run_once()

    assert await state_of(follow_up) == before
    assert len(slack.calls_to("chat.postMessage")) == posts_before
    assert slack.calls_to("chat.update") == []
    assert slack.calls_to("views.open") == []


async def test_an_unknown_action_is_acknowledged_and_ignored(
    hub_services: Services, widget: Widget, slack: FakeSlack, sender: SlackSender
) -> None:
    follow_up = await posted(hub_services, widget)
    before = await state_of(follow_up)

    answer = await sender.click("followup_delete_everything", str(follow_up.id), "UATTACKER")

    assert answer.status_code in (200, 404)
    await asyncio.sleep(0.2)
    assert await state_of(follow_up) == before


async def test_a_resolution_for_an_unknown_follow_up_changes_nothing(
    hub_services: Services, widget: Widget, slack: FakeSlack, sender: SlackSender
) -> None:
    follow_up = await posted(hub_services, widget)
    before = await state_of(follow_up)

    answer = await sender.submit_resolution("6b0900000000000000000000", "UATTACKER", "done", True)
    metadata_tampered = await sender.send(
        "payload="
        + urllib.parse.quote(
            json.dumps(
                {
                    "type": "view_submission",
                    "user": {"id": "UATTACKER"},
                    "team": {"id": "T0001"},
                    "view": {
                        "id": "V1",
                        "type": "modal",
                        "callback_id": "followup_resolve_view",
                        "private_metadata": "{not json",
                        "state": {"values": {}},
                    },
                }
            )
        )
    )

    assert answer.status_code == 200
    assert metadata_tampered.status_code == 200
    await asyncio.sleep(0.2)
    assert await state_of(follow_up) == before


@pytest.mark.parametrize(
    ("note", "said"),
    [("Fixed\ud800", "lone surrogate"), ("Fixed\x07", "control character")],
    ids=["lone-surrogate", "bell"],
)
async def test_a_malformed_resolution_note_is_refused_in_the_form(
    note: str,
    said: str,
    hub_services: Services,
    widget: Widget,
    slack: FakeSlack,
    sender: SlackSender,
) -> None:
    follow_up = await posted(hub_services, widget)
    await sender.click("followup_claim", str(follow_up.id), "UAGENT")
    await eventually(lambda: len(slack.calls_to("chat.postEphemeral")) == 1)
    before = await state_of(follow_up)

    answer = await sender.submit_resolution(str(follow_up.id), "UAGENT", note, True)

    assert answer.status_code == 200
    assert answer.json()["response_action"] == "errors"
    assert said in answer.json()["errors"]["note"]
    await asyncio.sleep(0.2)
    assert await state_of(follow_up) == before


async def test_a_command_with_control_characters_is_answered_with_the_rule(
    hub_services: Services, slack: FakeSlack, sender: SlackSender
) -> None:
    answer = await sender.command("stats\x00", "UAGENT", slack.response_url("bad"))

    assert answer.status_code == 200
    await eventually(lambda: bool(slack.calls_to("respond:bad")))
    [reply] = slack.calls_to("respond:bad")
    assert "control character" in str(reply.args["text"])
