"""Helpers of the survey and members page tests: a signed-in role, a survey made
through the service, and the form that creates one in the console."""

from __future__ import annotations

from hub.models.common import Channel, Metric, Role
from hub.models.survey import Survey, SurveyStatus, SurveyText
from hub.services import Services
from hub.services.surveys.surveys import SurveyDraft
from tests.support.console import ConsoleClient

NEW_SURVEY = {
    "key": "csat-onboarding",
    "product": "Onboarding",
    "metric": "CSAT",
    "channel_EMAIL": "on",
    "channel_LINK": "on",
    "status": "ACTIVE",
    "locale": "en",
    "question": "How satisfied are you with the help you got?",
    "followUp": "What is the main reason for your score?",
    "thankYou": "Thank you!",
}


async def signed_in_as(console: ConsoleClient, services: Services, role: Role) -> None:
    """`console` signed in with a new personal API key of `role`."""
    _, token = await services.keys.create(role, f"{role.value} key")
    answer = await console.sign_in_with_key(token)
    assert answer.status_code == 303, answer.text


async def a_survey(services: Services, key: str = "nps-main") -> Survey:
    return await services.surveys.create(
        SurveyDraft(
            key=key,
            metric=Metric.NPS,
            product="Accounting",
            texts=[
                SurveyText(
                    locale="en",
                    question="How likely are you to recommend us?",
                    follow_up="What is the main reason?",
                    thank_you="Thanks a lot!",
                )
            ],
            default_locale="en",
            channels=[Channel.IN_APP_WEB],
            status=SurveyStatus.ACTIVE,
        )
    )


async def stored(key: str = "nps-main") -> Survey:
    found = await Survey.find_one(Survey.key == key)
    assert found is not None
    return found
