"""A reply kept from a follow-up's Slack thread and the live event that tells the
console commit together: a reply the database refused half-way is kept, and told of,
when Slack sends it again."""

from __future__ import annotations

import pytest

import hub.services.followups.notes as notes_module
from hub.models.event import ChangeKind, LiveEvent
from hub.models.followup import Actor, FollowUpNote
from hub.services import Services
from hub.services.followups.live import announce_change
from tests.support.widget import Widget, follow_up_of

BOB = Actor(id="slack:U0BOB", name="Bob")
TS = "1700000000.000100"


class Refused(Exception):
    """The database refused the live event (a stand-in for any failed write)."""


async def test_a_reply_whose_live_event_fails_is_kept_whole_when_slack_sends_it_again(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a follow-up routed to a channel
    await services.routing.set_defaults("CROUTED", None)
    follow_up = await follow_up_of(await Widget(services).answer(3, "Reports take forever"))
    events = await LiveEvent.find(LiveEvent.kind == ChangeKind.FOLLOW_UP).count()

    async def refusing(*args: object, **kwargs: object) -> None:
        raise Refused

    # When the live event of a reply cannot be written
    monkeypatch.setattr(notes_module, "announce_change", refusing)
    with pytest.raises(Refused):
        await services.notes.record_thread_reply(follow_up, "CROUTED", TS, BOB, "Called them")

    # Then the reply is not kept either
    assert await FollowUpNote.find_all().count() == 0

    # And when Slack sends the reply again, it is kept and told of, once
    monkeypatch.setattr(notes_module, "announce_change", announce_change)
    kept = await services.notes.record_thread_reply(follow_up, "CROUTED", TS, BOB, "Called them")
    again = await services.notes.record_thread_reply(follow_up, "CROUTED", TS, BOB, "Called them")
    assert kept is not None and kept.text == "Called them"
    assert again is None
    assert await FollowUpNote.find_all().count() == 1
    changes = await LiveEvent.find(LiveEvent.kind == ChangeKind.FOLLOW_UP).to_list()
    assert len(changes) == events + 1
    assert changes[-1].record_id == follow_up.id
