"""`/feedback stats` counts what the dashboards count: people whose data is
restricted, who objected or who were erased are left out, as they are of analytics."""

from __future__ import annotations

import pytest

from hub.models.privacy import AuditActor, RightsRequestType, VerificationMethod
from hub.services import Services
from hub.services.analytics.criteria import AnalyticsFilter
from hub.services.privacy.rights import NewRequest
from tests.support.slack import FakeSlack
from tests.support.slack_sender import SlackSender
from tests.support.waiting import eventually
from tests.support.widget import Widget

OFFICER = AuditActor(key_id="k-officer", role="privacy_officer", label="officer")


async def _stats(slack: FakeSlack, sender: SlackSender, name: str, text: str) -> str:
    await sender.command(text, "UAGENT", slack.response_url(name))
    await eventually(lambda: bool(slack.calls_to(f"respond:{name}")))
    return str(slack.calls_to(f"respond:{name}")[0].args["text"])


@pytest.mark.parametrize(
    "kind", [RightsRequestType.RESTRICTION, RightsRequestType.OBJECTION, RightsRequestType.ERASURE]
)
async def test_stats_leave_out_people_taken_out_of_analytics(
    hub_services: Services,
    widget: Widget,
    slack: FakeSlack,
    sender: SlackSender,
    kind: RightsRequestType,
) -> None:
    services = hub_services
    # Given three promoters and one detractor, who then exercises a right
    for score in (10, 9, 9):
        await widget.answer(score, comment=None)
    detractor = await widget.answer(0, comment="Slow")
    request = await services.rights.file(
        NewRequest(kind, user_id=detractor.user.id),
        OFFICER,
        VerificationMethod.OTHER_MEANS,
        "ID seen",
    )
    await services.privacy.execute(str(request.id), OFFICER)

    # When an employee asks for the figures, for one survey and for all
    one = await _stats(slack, sender, "one", "stats nps-main")
    every = await _stats(slack, sender, "all", "stats")

    # Then they are the dashboards' figures: three promoters, NPS +100
    dashboard = await services.analytics.summary(AnalyticsFilter(survey_keys=["nps-main"]))
    assert dashboard.nps is not None and (dashboard.nps.n, dashboard.nps.score) == (3, 100.0)
    for text in (one, every):
        assert "NPS *+100* from 3 responses" in text
        assert "100% promoters" in text and "0% detractors" in text


async def test_stats_of_a_survey_without_counted_responses(
    hub_services: Services, widget: Widget, slack: FakeSlack, sender: SlackSender
) -> None:
    services = hub_services
    only = await widget.answer(3, comment=None)
    request = await services.rights.file(
        NewRequest(RightsRequestType.RESTRICTION, user_id=only.user.id),
        OFFICER,
        VerificationMethod.OTHER_MEANS,
        "ID seen",
    )
    await services.privacy.execute(str(request.id), OFFICER)

    text = await _stats(slack, sender, "none", "stats nps-main")

    assert text == "No responses in the last 30 days for survey `nps-main`."
