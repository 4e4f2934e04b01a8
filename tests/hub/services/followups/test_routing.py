"""Routing: each rule field, priority, the default and the escalation channel."""

from __future__ import annotations

import pytest

from hub.models.common import Channel, Metric
from hub.models.followup import FollowUp
from hub.models.routing import RoutingMatch
from hub.services import Services
from hub.services.followups.routing import RuleChanges, RuleDraft
from tests.factories import context, make_survey, person


class Answers:
    def __init__(self, services: Services) -> None:
        self.services = services
        self.people = 0

    async def channels(
        self,
        score: int,
        survey_key: str = "nps-main",
        metric: Metric = Metric.NPS,
        product: str = "Accounting",
        country: str = "NO",
    ) -> list[str]:
        """The channels the follow-up of a new commented response is routed to."""
        if await self.services.surveys.find(survey_key) is None:
            await make_survey(self.services, key=survey_key, metric=metric, product=product)
        self.people += 1
        display = await self.services.responses.record_display(
            survey_key,
            person(self.people),
            Channel.IN_APP_WEB,
            context(country=country, product=product),
            "en",
        )
        response = await self.services.responses.submit_score(str(display.id), score)
        await self.services.responses.submit_comment(str(response.id), "a comment")
        follow_up = await FollowUp.find_one(FollowUp.response_id == response.id)
        assert follow_up is not None
        return follow_up.channels


@pytest.fixture
async def answers(services: Services) -> Answers:
    await services.routing.set_defaults("CDEFAULT", None)
    return Answers(services)


async def rule(services: Services, channel: str, priority: int = 10, **match: object) -> None:
    await services.routing.create_rule(
        RuleDraft(
            name=channel.lower(),
            channel_id=channel,
            priority=priority,
            match=RoutingMatch.model_validate(match),
        )
    )


async def test_survey_key(services: Services, answers: Answers) -> None:
    await rule(services, "CSURVEY", survey_key="nps-app")
    assert await answers.channels(5, survey_key="nps-app") == ["CSURVEY"]
    assert await answers.channels(5, survey_key="nps-main") == ["CDEFAULT"]


async def test_product(services: Services, answers: Answers) -> None:
    await rule(services, "CPAYROLL", product="Payroll")
    assert await answers.channels(5, survey_key="nps-pay", product="Payroll") == ["CPAYROLL"]
    assert await answers.channels(5, product="Accounting") == ["CDEFAULT"]


async def test_metric(services: Services, answers: Answers) -> None:
    await rule(services, "CCSAT", metric=Metric.CSAT)
    assert await answers.channels(3, survey_key="csat-1", metric=Metric.CSAT) == ["CCSAT"]
    assert await answers.channels(3) == ["CDEFAULT"]


async def test_score_range_inclusive(services: Services, answers: Answers) -> None:
    await rule(services, "CPASSIVE", score_min=7, score_max=8)
    assert await answers.channels(7) == ["CPASSIVE"]
    assert await answers.channels(8) == ["CPASSIVE"]
    assert await answers.channels(6) == ["CDEFAULT"]
    assert await answers.channels(9) == ["CDEFAULT"]


async def test_country(services: Services, answers: Answers) -> None:
    await rule(services, "CSPAIN", country="es")  # stored upper case, ISO 3166
    assert await answers.channels(5, country="ES") == ["CSPAIN"]
    assert await answers.channels(5, country="NO") == ["CDEFAULT"]


async def test_all_fields_of_a_rule_must_match(services: Services, answers: Answers) -> None:
    await rule(services, "CNODETRACT", country="NO", score_max=6, metric=Metric.NPS)
    assert await answers.channels(6, country="NO") == ["CNODETRACT"]
    assert await answers.channels(6, country="SE") == ["CDEFAULT"]
    assert await answers.channels(7, country="NO") == ["CDEFAULT"]


async def test_lowest_priority_number_wins(services: Services, answers: Answers) -> None:
    await rule(services, "CBROAD", priority=50, country="NO")
    await rule(services, "CNARROW", priority=5, country="NO", score_max=3)
    assert await answers.channels(2) == ["CNARROW"]
    assert await answers.channels(5) == ["CBROAD"]

    # Raising the narrow rule's number below the broad one changes the winner
    [narrow] = [r for r in await services.routing.rules() if r.channel_id == "CNARROW"]
    await services.routing.update_rule(str(narrow.id), RuleChanges(priority=90))
    assert await answers.channels(2) == ["CBROAD"]


async def test_detractors_also_reach_the_escalation_channel(
    services: Services, answers: Answers
) -> None:
    await services.routing.set_defaults("CDEFAULT", "CESCALATE")
    assert await answers.channels(6) == ["CDEFAULT", "CESCALATE"]
    assert await answers.channels(7) == ["CDEFAULT"]
    assert await answers.channels(2, survey_key="csat-1", metric=Metric.CSAT) == [
        "CDEFAULT",
        "CESCALATE",
    ]
    assert await answers.channels(3, survey_key="csat-1", metric=Metric.CSAT) == ["CDEFAULT"]
    assert await answers.channels(3, survey_key="ces-1", metric=Metric.CES) == [
        "CDEFAULT",
        "CESCALATE",
    ]
    assert await answers.channels(4, survey_key="ces-1", metric=Metric.CES) == ["CDEFAULT"]


async def test_no_rule_and_no_default_means_no_post(services: Services) -> None:
    answers = Answers(services)
    assert await answers.channels(3) == []
    assert await services.outbox.pending_count() == 0
