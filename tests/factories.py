"""Builders of test data, through the services as the product itself does."""

from __future__ import annotations

from typing import Any

from hub.models.activity import DisplayContext
from hub.models.common import Channel, Metric, UserIdentity
from hub.models.survey import ContactRules, Survey, SurveyStatus, SurveyText
from hub.services import Services
from hub.services.surveys import SurveyDraft

TEXTS = [
    SurveyText(
        locale="en",
        question="How likely are you to recommend us?",
        follow_up="What is the main reason for your score?",
        thank_you="Thank you!",
    ),
    SurveyText(
        locale="es",
        question="¿Qué probabilidad hay de que nos recomiendes?",
        follow_up="¿Cuál es el motivo principal de tu puntuación?",
        thank_you="¡Gracias!",
    ),
]


async def make_survey(
    services: Services,
    key: str = "nps-main",
    metric: Metric = Metric.NPS,
    rules: ContactRules | None = None,
    channels: list[Channel] | None = None,
    status: SurveyStatus = SurveyStatus.ACTIVE,
    product: str = "Accounting",
) -> Survey:
    return await services.surveys.create(
        SurveyDraft(
            key=key,
            metric=metric,
            product=product,
            texts=list(TEXTS),
            default_locale="en",
            channels=channels or [Channel.IN_APP_WEB, Channel.MOBILE],
            contact_rules=rules or ContactRules(),
            status=status,
        )
    )


def person(number: int = 1, **fields: Any) -> UserIdentity:
    values: dict[str, Any] = {
        "id": f"user-{number}",
        "username": f"person{number}",
        "email": f"person{number}@example.org",
    }
    values.update(fields)
    return UserIdentity(**values)


def context(**fields: Any) -> DisplayContext:
    values: dict[str, Any] = {
        "company": "Acme AS",
        "country": "NO",
        "url": "https://app.example.org/invoices",
    }
    values.update(fields)
    return DisplayContext(**values)
