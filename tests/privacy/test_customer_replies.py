"""The e-mails sent to a customer from their follow-up are personal data like the
rest: an access export hands them over, erasure and retention take their text and
address out of the follow-up, and the undelivered e-mail leaves the outbox."""

from __future__ import annotations

from datetime import timedelta

from hub.clock import FrozenClock
from hub.models.common import Channel
from hub.models.followup import Actor, FollowUp
from hub.models.outbox import OutboxMessage
from hub.models.privacy import AuditActor, RightsRequestType
from hub.services import Services
from hub.services.followups.replies import KEY_PREFIX
from hub.services.privacy.registry import REDACTED
from tests.factories import context, make_survey
from tests.support.erasure import A, B, _erase

AGENT = Actor(id="slack:UAGENT", name="Kari Agent")
SYSTEM = AuditActor(key_id=None, role="system", label="test")
REPLY = "Hi Anna, fixed today. Bjorn (bjorn@example.net) had the same problem."


async def reply_emails() -> int:
    return await OutboxMessage.find({"key": {"$regex": f"^{KEY_PREFIX}:"}}).count()


async def replied(services: Services) -> FollowUp:
    """A's follow-up, claimed by a Slack user who replied to A (quoting B)."""
    await make_survey(services, key="nps-main")
    display = await services.responses.record_display(
        "nps-main", A, Channel.IN_APP_WEB, context(), "en"
    )
    response = await services.responses.submit_score(str(display.id), 3)
    await services.responses.submit_comment(str(response.id), "Invoices are slow")
    follow_up = await FollowUp.find_one(FollowUp.response_id == response.id)
    assert follow_up is not None
    await services.follow_ups.claim(str(follow_up.id), AGENT)
    return await services.replies.send(str(follow_up.id), AGENT, REPLY, "slack-view:V1")


async def test_an_access_export_holds_the_replies_without_other_people(
    hub_services: Services,
) -> None:
    follow_up = await replied(hub_services)
    # B is known to the hub, so their address is someone else's data in A's export
    await hub_services.responses.record_login(B)

    export = await hub_services.privacy.exports.access([A.id], [A.email or ""])

    [stored] = export["data"]["follow_ups"]
    [reply] = stored["customer_replies"]
    assert reply["to"] == A.email
    assert reply["text"].startswith("Hi Anna, fixed today.")
    assert "bjorn@example.net" not in reply["text"]
    assert reply["by"] == "a member of staff (agent)"  # staff are named by their role
    assert reply["outbox_id"] == follow_up.customer_replies[0].outbox_id
    [email] = [m for m in export["data"]["outbox"] if m["kind"] == "email"]
    assert email["payload"]["to"] == A.email
    assert "contact" in export["processing"]["categories"]


async def test_erasure_redacts_the_replies_and_drops_the_waiting_email(
    hub_services: Services,
) -> None:
    follow_up = await replied(hub_services)
    assert await reply_emails() == 1

    await _erase(hub_services, RightsRequestType.ERASURE, A.email or "")

    stored = await FollowUp.get(follow_up.id)
    assert stored is not None
    [reply] = stored.customer_replies
    assert (reply.text, reply.to) == (REDACTED, REDACTED)
    assert reply.by == AGENT and reply.outbox_id  # who and when stay
    assert await reply_emails() == 0  # the answers to A's own request stay
    # Running it again changes nothing more
    await _erase(hub_services, RightsRequestType.ERASURE, A.email or "", allow_no_match=True)
    again = await FollowUp.get(follow_up.id)
    assert again is not None and again.customer_replies == stored.customer_replies


async def test_retention_redacts_the_replies_with_the_response(
    hub_services: Services, clock: FrozenClock
) -> None:
    follow_up = await replied(hub_services)

    clock.advance(timedelta(days=365 * 3 + 1))
    report = await hub_services.retention.run(False, SYSTEM)

    assert report.follow_ups_anonymised == 1
    stored = await FollowUp.get(follow_up.id)
    assert stored is not None
    [reply] = stored.customer_replies
    assert (reply.text, reply.to) == (REDACTED, REDACTED)
