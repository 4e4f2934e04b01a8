"""Restriction and objection hold at their edges: an opt-out, objection or erasure
made while a restriction is in force outlives the restriction, and nothing the
restricted person sends meanwhile is counted, posted or shown to anyone but privacy
officers until the restriction is lifted."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from hub.models.common import Channel, Role, UserIdentity
from hub.models.event import LiveEvent
from hub.models.followup import FollowUp
from hub.models.outbox import OutboxMessage
from hub.models.privacy import AuditActor, RightsRequest, RightsRequestType, VerificationMethod
from hub.models.response import Response
from hub.models.suppression import OptOutObjection, Suppression, SuppressionReason
from hub.services import Services
from hub.services.analytics.criteria import AnalyticsFilter
from hub.services.channels.mail import Email
from hub.services.privacy.rights import NewRequest
from hub.services.widget.events import EventKind
from hub.services.widget.responses import ResponseFilter
from hub.services.widget.throttling import Rule
from tests.factories import context, make_survey
from tests.support.graphql import GraphQLClient, nodes
from tests.support.slack import FakeSlack

OFFICER = AuditActor(key_id="k-officer", role="privacy_officer", label="officer")
A = UserIdentity(id="subject-a-4711", username="annalund", email="anna.lund@example.org")
B = UserIdentity(id="subject-b-0815", username="bjorn", email="bjorn@example.net")
REDACTED = "This message was redacted at the request of the person it was about."
EVERYONE = AnalyticsFilter(survey_keys=["nps-main"])

RESPONSES = """
{ responses(first: 10) {
    totalCount
    edges { node { score comment user { id masked } } }
} }"""


async def _file(
    services: Services, type_: RightsRequestType, user_id: str | None = A.id
) -> RightsRequest:
    return await services.rights.file(
        NewRequest(type_, user_id=user_id),
        OFFICER,
        VerificationMethod.OTHER_MEANS,
        "ID seen",
    )


async def _execute(services: Services, type_: RightsRequestType) -> RightsRequest:
    request = await _file(services, type_)
    return await services.privacy.execute(str(request.id), OFFICER)


async def _lift(services: Services, restriction: RightsRequest) -> RightsRequest:
    await services.privacy.record_subject_notified(str(restriction.id), OFFICER)
    return await services.privacy.lift_restriction(str(restriction.id), OFFICER)


async def _reasons() -> set[str]:
    return {str(raw["reason"]) async for raw in Suppression.get_pymongo_collection().find({})}


# --- finding 4: what outlives a restriction ------------------------------------------


async def test_an_opt_out_during_a_restriction_is_kept_with_its_receipt_and_survives_lifting(
    hub_services: Services, hub_http: httpx.AsyncClient
) -> None:
    services = hub_services
    survey = await make_survey(services, channels=[Channel.IN_APP_WEB, Channel.EMAIL])
    shown = await services.responses.record_display(
        "nps-main", A, Channel.IN_APP_WEB, context(), "en"
    )  # so the restriction finds the person's e-mail address too
    restriction = await _execute(services, RightsRequestType.RESTRICTION)
    scored = await services.responses.submit_score(str(shown.id), 1)
    await services.responses.submit_comment(str(scored.id), "Stop asking")
    link = services.links.new_link(survey, A, "en", Channel.EMAIL)
    opt_out = httpx.URL(services.links.opt_out_url(link)).path

    # Given a restricted person, when they opt out from an earlier e-mail
    confirm = await hub_http.get(opt_out)
    done = await hub_http.post(opt_out)

    # Then the objection is recorded as such, with its receipt
    assert "Stop all surveys" in confirm.text
    assert "You will not receive surveys from us again." in done.text
    assert await OptOutObjection.find_all().count() == 1
    assert await _reasons() == {"RESTRICTION", "OBJECTION"}

    # And lifting the restriction leaves the person suppressed
    await _lift(services, restriction)
    assert await _reasons() == {"OBJECTION"}
    blocked = await services.throttling.check(survey, A.id, Channel.IN_APP_WEB)
    assert blocked.reason is Rule.SUPPRESSED
    by_email = await services.throttling.check(
        survey, "another-id", Channel.EMAIL, "Anna.Lund@Example.org"
    )
    assert by_email.reason is Rule.SUPPRESSED
    # No follow-up: the person objected to contact
    assert await FollowUp.find({"subject_id": A.id}).count() == 0
    # A second opt-out changes nothing more
    await hub_http.post(opt_out)
    assert await OptOutObjection.find_all().count() == 1


@pytest.mark.parametrize("kind", [RightsRequestType.OBJECTION, RightsRequestType.ERASURE])
async def test_an_objection_or_erasure_while_restricted_survives_lifting(
    hub_services: Services, slack: FakeSlack, kind: RightsRequestType
) -> None:
    services = hub_services
    survey = await make_survey(services)
    await services.routing.set_defaults("CROUTED", None)
    display = await services.responses.record_display(
        "nps-main", A, Channel.IN_APP_WEB, context(), "en"
    )
    response = await services.responses.submit_score(str(display.id), 2)
    await services.responses.submit_comment(str(response.id), "Invoices are slow")
    await services.dispatcher.run_once()
    restriction = await _execute(services, RightsRequestType.RESTRICTION)

    # When the person objects (or asks for erasure) while restricted
    await _execute(services, kind)
    await services.dispatcher.run_once()
    # and the restriction is lifted afterwards
    lifted = await _lift(services, restriction)
    await services.dispatcher.run_once()

    # Then they stay suppressed, uncounted and redacted
    assert not lifted.restriction_active
    assert await _reasons() == {SuppressionReason(kind.value).value}
    blocked = await services.throttling.check(survey, A.id, Channel.IN_APP_WEB)
    assert blocked.reason is Rule.SUPPRESSED
    assert (await services.analytics.summary(EVERYONE)).responses == 0
    assert await Response.find({"user.id": A.id}).count() == 0
    assert [m.text for m in slack.messages.values()] == [REDACTED]


async def test_an_objection_stops_surveys_and_contact_at_once(
    hub_services: Services, slack: FakeSlack
) -> None:
    services = hub_services
    survey = await make_survey(services, channels=[Channel.IN_APP_WEB, Channel.EMAIL])
    await services.routing.set_defaults("CROUTED", None)
    display = await services.responses.record_display(
        "nps-main", A, Channel.IN_APP_WEB, context(), "en"
    )
    await services.responses.submit_score(str(display.id), 9)
    await services.mail.queue(
        Email(to="anna.lund@example.org", subject="Hi", text="Hello"), "mail-1", [A.id]
    )

    await _execute(services, RightsRequestType.OBJECTION)

    for channel, email in ((Channel.IN_APP_WEB, None), (Channel.EMAIL, "ANNA.LUND@example.org")):
        blocked = await services.throttling.check(survey, A.id, channel, email)
        assert blocked.reason is Rule.SUPPRESSED
    assert await OutboxMessage.find({"subject_ids": A.id}).count() == 0
    assert await Response.find({"user.id": A.id}).count() == 0
    assert (await services.analytics.summary(EVERYONE)).responses == 0


# --- finding 5: what a restricted person sends -----------------------------------------


async def _people(gql: GraphQLClient, role: Role) -> list[tuple[int, Any, Any]]:
    data = await gql.ok(RESPONSES, role=role)
    edges = data["responses"]["edges"]
    assert data["responses"]["totalCount"] == len(edges)
    return sorted(
        (edge["node"]["score"], edge["node"]["comment"], edge["node"]["user"]["id"])
        for edge in edges
    )


async def test_what_a_restricted_person_sends_is_kept_but_not_counted_posted_or_shown(
    services: Services, gql: GraphQLClient
) -> None:
    await make_survey(services)
    await services.routing.set_defaults("CROUTED", None)
    # Given a display shown to A, and B's answer, before A's data is restricted
    shown = await services.responses.record_display(
        "nps-main", A, Channel.IN_APP_WEB, context(), "en"
    )
    other = await services.responses.record_display(
        "nps-main", B, Channel.IN_APP_WEB, context(), "en"
    )
    await services.responses.submit_score(str(other.id), 10)
    restriction = await _execute(services, RightsRequestType.RESTRICTION)

    # When A answers that display while restricted
    scored = await services.responses.submit_score(str(shown.id), 0)
    await services.responses.submit_comment(str(scored.id), "Call me on +47 555 01234")

    # Then the answer is kept, flagged ...
    kept = await Response.get(scored.id)
    assert kept is not None and kept.comment is not None and kept.analytics_excluded
    # ... not counted
    summary = await services.analytics.summary(EVERYONE)
    assert (summary.responses, summary.comments) == (1, 0)
    assert summary.nps is not None and summary.nps.score == 100.0
    assert (await services.analytics.rebuild()).responses == 1  # only B's is recounted
    assert (await services.analytics.summary(EVERYONE)).responses == 1
    # ... not posted for follow-up
    assert await FollowUp.find({"subject_id": A.id}).count() == 0
    assert await OutboxMessage.find({"subject_ids": A.id}).count() == 0
    # ... not announced to live subscribers
    assert await LiveEvent.find({"record_id": scored.id}).count() == 0
    live = LiveEvent(kind=EventKind.COMMENT, record_id=scored.id, at=kept.answered_at)
    assert await services.analytics.event_of(live) is None
    # ... and read by privacy officers only
    for role in (Role.VIEWER, Role.AGENT, Role.ADMIN):
        assert await _people(gql, role) == [(10, None, B.id if role is Role.ADMIN else None)]
    assert await _people(gql, Role.PRIVACY_OFFICER) == [
        (0, "Call me on +47 555 01234", A.id),
        (10, None, B.id),
    ]
    csv = "".join([c async for c in services.exports.csv_chunks(ResponseFilter(), Role.ADMIN)])
    assert "555 01234" not in csv

    # When the restriction is lifted, the answer counts, shows and is followed up
    lifted = await _lift(services, restriction)
    summary = await services.analytics.summary(EVERYONE)
    assert (summary.responses, summary.comments) == (2, 1)
    assert [row[2] for row in await _people(gql, Role.ADMIN)] == [A.id, B.id]
    assert lifted.outcome["lifted"]["follow_ups_opened"] == 1
    assert await FollowUp.find({"subject_id": A.id}).count() == 1
    assert await OutboxMessage.find({"kind": "slack.post", "subject_ids": A.id}).count() == 1


async def test_a_comment_sent_during_a_restriction_on_an_earlier_score_is_not_counted(
    services: Services,
) -> None:
    await make_survey(services)
    shown = await services.responses.record_display(
        "nps-main", A, Channel.IN_APP_WEB, context(), "en"
    )
    scored = await services.responses.submit_score(str(shown.id), 3)
    restriction = await _execute(services, RightsRequestType.RESTRICTION)

    await services.responses.submit_comment(str(scored.id), "Too slow")

    summary = await services.analytics.summary(EVERYONE)
    assert (summary.responses, summary.comments) == (0, 0)
    assert await FollowUp.find({"subject_id": A.id}).count() == 0
    await _lift(services, restriction)
    summary = await services.analytics.summary(EVERYONE)
    assert (summary.responses, summary.comments) == (1, 1)


FOLLOW_UPS = "{ followUps { edges { node { redacted score response { comment } } } } }"


async def test_a_restricted_persons_follow_up_shows_no_comment_until_lifted(
    services: Services, gql: GraphQLClient
) -> None:
    await make_survey(services)
    await services.routing.set_defaults("CROUTED", None)
    shown = await services.responses.record_display(
        "nps-main", A, Channel.IN_APP_WEB, context(), "en"
    )
    scored = await services.responses.submit_score(str(shown.id), 2)
    await services.responses.submit_comment(str(scored.id), "Invoices are slow")
    before = await gql.ok(FOLLOW_UPS, role=Role.AGENT)

    restriction = await _execute(services, RightsRequestType.RESTRICTION)

    assert nodes(before["followUps"])[0]["response"] == {"comment": "Invoices are slow"}
    for role in (Role.AGENT, Role.ADMIN):
        during = nodes((await gql.ok(FOLLOW_UPS, role=role))["followUps"])
        assert during == [{"redacted": True, "score": 2, "response": None}]
    await _lift(services, restriction)
    after = nodes((await gql.ok(FOLLOW_UPS, role=Role.AGENT))["followUps"])
    assert after == [{"redacted": False, "score": 2, "response": {"comment": "Invoices are slow"}}]
