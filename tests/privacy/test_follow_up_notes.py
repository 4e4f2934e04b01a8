"""Internal notes (replies in a follow-up's Slack thread) are the person's data like
the follow-up: in their access export, redacted by erasure, anonymised by retention."""

from __future__ import annotations

from datetime import timedelta

import httpx

from hub.clock import FrozenClock
from hub.models.followup import FollowUp, FollowUpNote
from hub.models.privacy import RightsRequestType
from hub.services import Services
from hub.services.privacy.registry import REDACTED
from tests.factories import make_survey
from tests.support.erasure import OFFICER, A, B, _answer, _erase
from tests.support.slack_sender import SlackSender
from tests.support.waiting import eventually
from tests.support.widget import follow_up_of


async def _noted(
    services: Services, http: httpx.AsyncClient, follow_up: FollowUp, user: str, text: str
) -> None:
    """An employee replies in the thread of the follow-up's message."""
    [post] = follow_up.posts
    before = await FollowUpNote.find_all().count()
    event = {
        "type": "message",
        "channel": post.channel_id,
        "user": user,
        "text": text,
        "ts": f"{float(post.ts) + 10 + before:.6f}",
        "thread_ts": post.ts,
    }
    delivery = await SlackSender(http).event(event, event_id=f"Ev{event['ts']}")
    assert delivery.status_code == 200

    async def kept() -> bool:
        return await FollowUpNote.find_all().count() == before + 1

    await eventually(kept)


async def _follow_ups_of_a_and_b(services: Services) -> tuple[FollowUp, FollowUp]:
    await make_survey(services, key="nps-main")
    await services.routing.set_defaults("CROUTED", None)
    of_a = await _answer(services, A, 2, "Slow invoices")
    of_b = await _answer(services, B, 3, "Slow too")
    await services.dispatcher.run_once()
    return await follow_up_of(of_a), await follow_up_of(of_b)


async def test_notes_are_in_the_access_export_with_staff_named_by_role(
    hub_services: Services, hub_http: httpx.AsyncClient
) -> None:
    about_a, _ = await _follow_ups_of_a_and_b(hub_services)
    await _noted(hub_services, hub_http, about_a, "UAGENT", "Asked bjorn@example.net too")

    export = await hub_services.privacy.exports.access([A.id], [str(A.email)])

    [note] = export["data"]["follow_up_notes"]
    assert note["subject_id"] == A.id
    assert note["author"] == "a member of staff (agent)"
    assert "bjorn@example.net" not in note["text"]  # someone else's address
    assert "name-UAGENT" not in str(export)
    b_export = await hub_services.privacy.exports.access([B.id], [str(B.email)])
    assert b_export["data"]["follow_up_notes"] == []


async def test_erasure_redacts_the_persons_notes_and_quotes_of_them_in_others(
    hub_services: Services, hub_http: httpx.AsyncClient
) -> None:
    about_a, about_b = await _follow_ups_of_a_and_b(hub_services)
    await _noted(hub_services, hub_http, about_a, "UAGENT", "Anna says it is slow")
    await _noted(hub_services, hub_http, about_b, "UAGENT", f"Same as {A.email}")

    await _erase(hub_services, RightsRequestType.ERASURE, A.email or "")

    of_a = await FollowUpNote.find_one(FollowUpNote.follow_up_id == about_a.id)
    of_b = await FollowUpNote.find_one(FollowUpNote.follow_up_id == about_b.id)
    assert of_a is not None and of_a.text == REDACTED and of_a.subject_id == "anonymous"
    assert of_b is not None and of_b.text == f"Same as {REDACTED}" and of_b.subject_id == B.id


async def test_retention_anonymises_the_notes_with_the_response(
    hub_services: Services, hub_http: httpx.AsyncClient, clock: FrozenClock
) -> None:
    about_a, _ = await _follow_ups_of_a_and_b(hub_services)
    await _noted(hub_services, hub_http, about_a, "UAGENT", "Call +47 555 12 345 back")

    clock.advance(timedelta(days=3 * 366))
    await hub_services.retention.run(False, OFFICER)

    [note] = await FollowUpNote.find(FollowUpNote.follow_up_id == about_a.id).to_list()
    assert note.subject_id == "anonymous"
    assert "555 12 345" not in note.text and "[phone]" in note.text
