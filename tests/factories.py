"""Builders of test data, through the services as the product itself does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from beanie import PydanticObjectId

from hub.models.activity import DisplayContext
from hub.models.common import Channel, Customer, Metric, UserIdentity
from hub.models.response import Response
from hub.models.survey import ContactRules, Survey, SurveyStatus, SurveyText
from hub.services import Services
from hub.services.surveys.surveys import SurveyDraft

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


async def insert_responses(survey_keys: list[str], metric: Metric, count: int) -> None:
    """`count` answered responses straight into the database, a minute apart from
    2026-01-01, spread over `survey_keys` in turn (bulk data for paging and exports)."""
    start = datetime(2026, 1, 1, tzinfo=UTC)
    await Response.get_pymongo_collection().insert_many(
        [
            Response(
                survey_key=survey_keys[number % len(survey_keys)],
                metric=metric,
                display_id=PydanticObjectId(),
                score=number % 11,
                product="Accounting",
                customer=Customer(company="Acme AS", country="NO"),
                user=person(number),
                channel=Channel.IN_APP_WEB,
                locale="en",
                answered_at=start + timedelta(minutes=number),
            ).model_dump(exclude={"id", "revision_id"})
            for number in range(count)
        ]
    )
