"""Rectification applies corrected values everywhere; restriction stops surveys and
Slack posts until it is lifted, which needs the person to have been told."""

from __future__ import annotations

import pytest

from hub.clock import FrozenClock
from hub.errors import Conflict, ErrorCode
from hub.models.activity import Display
from hub.models.common import Channel, UserIdentity
from hub.models.followup import FollowUp
from hub.models.outbox import OutboxMessage, OutboxStatus
from hub.models.privacy import (
    AuditActor,
    Corrections,
    RightsRequest,
    RightsRequestType,
    VerificationMethod,
)
from hub.models.response import Response
from hub.services import Services
from hub.services.analytics.criteria import AnalyticsFilter
from hub.services.channels.mail import Email
from hub.services.privacy.rights import NewRequest
from hub.services.widget.throttling import Rule
from tests.factories import context, make_survey
from tests.support.slack import FakeSlack

OFFICER = AuditActor(key_id="k-officer", role="privacy_officer", label="officer")
A = UserIdentity(id="subject-a-4711", username="annalund", email="anna.lund@example.org")
REDACTED = "This message was redacted at the request of the person it was about."


async def _answer(services: Services, comment: str = "Invoices are slow") -> Response:
    display = await services.responses.record_display(
        "nps-main", A, Channel.IN_APP_WEB, context(company="Acme AS"), "en"
    )
    response = await services.responses.submit_score(str(display.id), 2)
    return await services.responses.submit_comment(str(response.id), comment)


async def _execute(
    services: Services,
    type_: RightsRequestType,
    corrections: Corrections | None = None,
    allow_no_match: bool = False,
) -> RightsRequest:
    request = await services.rights.file(
        NewRequest(type_, user_id=A.id, corrections=corrections),
        OFFICER,
        VerificationMethod.OTHER_MEANS,
        "ID seen",
    )
    return await services.privacy.execute(str(request.id), OFFICER, allow_no_match)


async def test_rectification_everywhere_including_pending_mail_and_slack(
    hub_services: Services, slack: FakeSlack
) -> None:
    services = hub_services
    await make_survey(services, key="nps-main")
    await services.routing.set_defaults("CROUTED", None)
    response = await _answer(services)
    await services.dispatcher.run_once()
    await services.mail.queue(
        Email(to="anna.lund@example.org", subject="Hi", text="Hello"), "mail-1", [A.id]
    )

    done = await _execute(
        services,
        RightsRequestType.RECTIFICATION,
        Corrections(email="anna@lund.example", company="Lund AB", country="SE"),
    )
    await services.dispatcher.run_once()

    corrected = await Response.get(response.id)
    assert corrected is not None
    assert corrected.user.email == "anna@lund.example"
    assert (corrected.customer.company, corrected.customer.country) == ("Lund AB", "SE")
    display = await Display.find_one({"user.id": A.id})
    assert display is not None and display.context.company == "Lund AB"
    mail = await OutboxMessage.find_one(OutboxMessage.key == "mail-1")
    assert mail is not None and mail.payload["to"] == "anna@lund.example"
    assert mail.status is OutboxStatus.PENDING
    assert done.outcome["rectified"]["responses"] == 1
    assert done.outcome["rectified"]["displays"] == 1
    assert done.outcome["rectified"]["outbox"] == 1
    assert done.outcome["slack"]["follow_ups_refreshed"] == 1
    assert len(slack.calls_to("chat.update")) == 1


async def test_restriction_until_notified_and_lifted(
    hub_services: Services, slack: FakeSlack, clock: FrozenClock
) -> None:
    services = hub_services
    survey = await make_survey(services, key="nps-main")
    await services.routing.set_defaults("CROUTED", None)
    await _answer(services)
    await services.dispatcher.run_once()

    everyone = AnalyticsFilter(survey_keys=["nps-main"])
    assert (await services.analytics.summary(everyone)).responses == 1

    done = await _execute(services, RightsRequestType.RESTRICTION)
    await services.dispatcher.run_once()

    # Not surveyed, not counted, not posted, Slack messages redacted
    assert done.restriction_active
    assert (await services.analytics.summary(everyone)).responses == 0
    blocked = await services.throttling.check(survey, A.id, Channel.IN_APP_WEB)
    assert blocked.reason is Rule.SUPPRESSED
    assert [m.text for m in slack.messages.values()] == [REDACTED]
    opened = await FollowUp.find({"subject_id": A.id}).count()
    response = await Response.find_one({"user.id": A.id})
    assert response is not None
    client = FollowUp.get_pymongo_collection().database.client
    async with client.start_session() as session:
        assert await services.follow_ups.open_for(response, session) is None
    assert await FollowUp.find({"subject_id": A.id}).count() == opened

    # Lifting needs the person told first
    with pytest.raises(Conflict) as early:
        await services.privacy.lift_restriction(str(done.id), OFFICER)
    assert early.value.code is ErrorCode.SUBJECT_NOT_NOTIFIED
    await services.privacy.record_subject_notified(str(done.id), OFFICER)
    lifted = await services.privacy.lift_restriction(str(done.id), OFFICER)
    await services.dispatcher.run_once()

    assert not lifted.restriction_active and lifted.restriction_lifted_at == clock.now()
    assert (await services.analytics.summary(everyone)).responses == 1
    again = await services.throttling.check(survey, A.id, Channel.IN_APP_WEB)
    assert again.reason is not Rule.SUPPRESSED
    assert [m.text for m in slack.messages.values()] != [REDACTED]
    actions = [entry.action for entry in await services.audit.entries()]
    assert actions[:2] == ["rights_request.restriction_lifted", "rights_request.subject_notified"]


async def test_restriction_does_not_lift_an_objection(hub_services: Services) -> None:
    services = hub_services
    await make_survey(services, key="nps-main")
    await services.suppressions.suppress(
        __import__(
            "hub.models.suppression", fromlist=["SuppressionReason"]
        ).SuppressionReason.OBJECTION,
        user_id=A.id,
    )
    # A has no records, only the suppression: the officer acknowledges that
    done = await _execute(services, RightsRequestType.RESTRICTION, allow_no_match=True)
    await services.privacy.record_subject_notified(str(done.id), OFFICER)
    await services.privacy.lift_restriction(str(done.id), OFFICER)

    assert await services.suppressions.is_suppressed(user_id=A.id)
