"""A change of hands and what it tells Slack and the console commit together: a
follow-up is never claimed (resolved, reassigned…) without its Slack message update,
its thread reply and its live event queued, nor are those queued for a change that
did not happen."""

from __future__ import annotations

import pytest

from hub.models.event import LiveEvent
from hub.models.followup import Actor, FollowUpStatus
from hub.models.outbox import OutboxMessage
from hub.services import Services
from hub.services.followups.followups import UPDATE
from hub.services.followups.thread import THREAD
from tests.support.widget import Widget, follow_up_of

AGENT = Actor(id="slack:UAGENT", name="Agent")


class Refused(Exception):
    """The database refused the thread reply (a stand-in for any failed write)."""


async def queued(kind: str) -> int:
    return await OutboxMessage.find(OutboxMessage.kind == kind).count()


async def test_a_claim_whose_slack_news_cannot_be_queued_does_not_happen(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a follow-up routed to a channel
    await services.routing.set_defaults("CROUTED", None)
    follow_up = await follow_up_of(await Widget(services).answer(3, "Reports take forever"))
    events = await LiveEvent.find_all().count()
    enqueue = services.outbox.enqueue

    async def refusing(kind: str, *args: object, **kwargs: object) -> bool:
        if kind == THREAD:
            raise Refused
        return await enqueue(kind, *args, **kwargs)  # type: ignore[arg-type]

    # When the claim's thread reply cannot be written
    monkeypatch.setattr(services.outbox, "enqueue", refusing)
    with pytest.raises(Refused):
        await services.follow_ups.claim(str(follow_up.id), AGENT)

    # Then the follow-up is not claimed, and nothing about the claim was queued
    after = await services.follow_ups.get(str(follow_up.id))
    assert (after.status, after.claimed_by, after.version) == (
        FollowUpStatus.OPEN,
        None,
        follow_up.version,
    )
    assert await queued(UPDATE) == 0
    assert await LiveEvent.find_all().count() == events

    # And once the database takes it, the claim and all it tells go together
    monkeypatch.setattr(services.outbox, "enqueue", enqueue)
    claimed = await services.follow_ups.claim(str(follow_up.id), AGENT)
    assert claimed.status is FollowUpStatus.CLAIMED
    assert (await queued(UPDATE), await queued(THREAD)) == (1, 1)
    assert await LiveEvent.find_all().count() == events + 1


async def test_a_change_that_did_not_happen_queues_nothing(services: Services) -> None:
    await services.routing.set_defaults("CROUTED", None)
    follow_up = await follow_up_of(await Widget(services).answer(3, "Reports take forever"))
    await services.follow_ups.resolve(str(follow_up.id), AGENT, "Called them.", True)
    events = await LiveEvent.find_all().count()

    with pytest.raises(Exception, match="resolved"):
        await services.follow_ups.claim(str(follow_up.id), AGENT)

    assert (await queued(UPDATE), await queued(THREAD)) == (1, 1)  # the resolution's
    assert await LiveEvent.find_all().count() == events
