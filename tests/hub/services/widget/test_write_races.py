"""A widget call reads what it decides on in its transaction and sends its writes
together at the end (`hub.batch`): a write that commits in between, to a document the
call read, makes the call's own write conflict, and the transaction runs again on what
is there now. Each race here is made to happen, not hoped for: a listener, told inside
the call's transaction after its reads and before its writes go out, makes the other
write commit first."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from pymongo.asynchronous.client_session import AsyncClientSession

from hub.errors import Conflict, ErrorCode
from hub.models.activity import ContactState, Display
from hub.models.common import Channel
from hub.models.followup import FollowUp
from hub.models.privacy import AuditActor, RightsRequestType, VerificationMethod
from hub.models.response import Response
from hub.services import Services
from hub.services.analytics.criteria import AnalyticsFilter
from hub.services.privacy.rights import NewRequest
from hub.services.widget.responses import ResponseListener
from tests.factories import context, make_survey, person

WEB = Channel.IN_APP_WEB
OFFICER = AuditActor(key_id="k-officer", role="privacy_officer", label="officer")


class Meanwhile(ResponseListener):
    """Runs `meanwhile` once, inside the first transaction that tells it of `event`,
    and counts how often it was told (once per attempt of that transaction)."""

    def __init__(self, event: str, meanwhile: Callable[[], Awaitable[object]]) -> None:
        self.event = event
        self.meanwhile: Callable[[], Awaitable[object]] | None = meanwhile
        self.attempts = 0

    async def _told(self, event: str) -> None:
        if event != self.event:
            return
        self.attempts += 1
        meanwhile, self.meanwhile = self.meanwhile, None
        if meanwhile is not None:
            await meanwhile()

    async def display_recorded(self, display: Display, session: AsyncClientSession) -> None:
        await self._told("display")

    async def score_submitted(self, response: Response, session: AsyncClientSession) -> None:
        await self._told("score")

    async def comment_submitted(self, response: Response, session: AsyncClientSession) -> None:
        await self._told("comment")


def meanwhile(services: Services, event: str, other: Callable[[], Awaitable[object]]) -> Meanwhile:
    listener = Meanwhile(event, other)
    services.responses.listeners.append(listener)
    return listener


async def test_a_second_score_committed_meanwhile_wins_and_the_first_is_refused(
    services: Services,
) -> None:
    await make_survey(services)
    shown = await services.responses.record_display("nps-main", person(1), WEB, context(), "en")
    race = meanwhile(services, "score", lambda: services.responses.submit_score(str(shown.id), 3))

    with pytest.raises(Conflict) as refused:
        await services.responses.submit_score(str(shown.id), 9)

    assert refused.value.code is ErrorCode.ALREADY_ANSWERED
    assert race.attempts == 2  # the first call's attempt and the second call's
    stored = await Response.find({"display_id": shown.id}).to_list()
    assert [response.score for response in stored] == [3]
    display = await Display.get(shown.id)
    assert display is not None and display.response_id == stored[0].id
    summary = await services.analytics.summary(AnalyticsFilter(survey_keys=["nps-main"]))
    assert summary.responses == 1


async def test_a_decline_committed_meanwhile_refuses_the_score(services: Services) -> None:
    await make_survey(services)
    shown = await services.responses.record_display("nps-main", person(1), WEB, context(), "en")
    meanwhile(services, "score", lambda: services.responses.decline(str(shown.id)))

    with pytest.raises(Conflict) as refused:
        await services.responses.submit_score(str(shown.id), 9)

    assert refused.value.code is ErrorCode.ALREADY_DECLINED
    assert await Response.find({"display_id": shown.id}).count() == 0
    display = await Display.get(shown.id)
    assert display is not None and display.declined_at is not None
    assert display.response_id is None


async def test_a_restriction_committed_meanwhile_keeps_the_score_out_of_the_analytics(
    services: Services,
) -> None:
    await make_survey(services)
    await services.routing.set_defaults("CROUTED", None)
    shown = await services.responses.record_display("nps-main", person(1), WEB, context(), "en")

    async def restrict() -> None:
        request = await services.rights.file(
            NewRequest(RightsRequestType.RESTRICTION, user_id=person(1).id),
            OFFICER,
            VerificationMethod.OTHER_MEANS,
            "ID seen",
        )
        await services.privacy.execute(str(request.id), OFFICER)

    race = meanwhile(services, "score", restrict)

    scored = await services.responses.submit_score(str(shown.id), 0)
    await services.responses.submit_comment(str(scored.id), "Call me back")

    assert race.attempts == 2  # the score's transaction ran again after the restriction
    assert scored.analytics_excluded
    kept = await Response.get(scored.id)
    assert kept is not None and kept.analytics_excluded and kept.comment == "Call me back"
    summary = await services.analytics.summary(AnalyticsFilter(survey_keys=["nps-main"]))
    assert (summary.responses, summary.comments) == (0, 0)
    assert await FollowUp.find({"subject_id": person(1).id}).count() == 0


async def test_a_second_comment_committed_meanwhile_wins_and_the_first_is_refused(
    services: Services,
) -> None:
    await make_survey(services)
    await services.routing.set_defaults("CROUTED", None)
    shown = await services.responses.record_display("nps-main", person(1), WEB, context(), "en")
    scored = await services.responses.submit_score(str(shown.id), 4)
    race = meanwhile(
        services,
        "comment",
        lambda: services.responses.submit_comment(str(scored.id), "The second one"),
    )

    with pytest.raises(Conflict) as refused:
        await services.responses.submit_comment(str(scored.id), "The first one")

    assert refused.value.code is ErrorCode.ALREADY_COMMENTED
    assert race.attempts == 2  # the first call's attempt and the second call; no retry told
    kept = await Response.get(scored.id)
    assert kept is not None and kept.comment == "The second one"
    follow_ups = await FollowUp.find({"subject_id": person(1).id}).to_list()
    assert len(follow_ups) == 1
    summary = await services.analytics.summary(AnalyticsFilter(survey_keys=["nps-main"]))
    assert summary.comments == 1


async def test_a_second_display_committed_meanwhile_wins_and_the_first_is_refused(
    services: Services,
) -> None:
    await make_survey(services)
    race = meanwhile(
        services,
        "display",
        lambda: services.responses.record_display("nps-main", person(1), WEB, context(), "en"),
    )

    with pytest.raises(Conflict) as refused:
        await services.responses.record_display("nps-main", person(1), WEB, context(), "en")

    assert refused.value.code is ErrorCode.NOT_ELIGIBLE
    assert race.attempts >= 2
    assert await Display.find({"user.id": person(1).id}).count() == 1
    state = await ContactState.find_one({"user_id": person(1).id})
    assert state is not None and state.unanswered_displays == 1
    summary = await services.analytics.summary(AnalyticsFilter(survey_keys=["nps-main"]))
    assert summary.displays == 1
