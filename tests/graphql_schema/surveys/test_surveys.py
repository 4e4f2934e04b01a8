"""Survey management by admins; everyone else is refused and nothing changes."""

from __future__ import annotations

from typing import Any

import pytest

from hub.models.common import Role
from hub.models.survey import Survey, SurveyStatus
from tests.support.graphql import GraphQLClient

CREATE = """
mutation Create($input: CreateSurveyInput!) {
  createSurvey(input: $input) {
    __typename
    ... on Survey {
      key metric status product defaultLocale channels
      scale { min max }
      texts { locale question followUp thankYou }
      contactRules { daysAfterAnswer daysAfterDecline maxDisplaysWithoutAnswer
                     minDaysBetweenDisplays samplingPercent minLogins minDaysSinceFirstSeen }
    }
    ... on UserError { message code field }
  }
}
"""

UPDATE = """
mutation Update($key: String!, $input: UpdateSurveyInput!) {
  updateSurvey(key: $key, input: $input) {
    __typename
    ... on Survey { key product channels texts { locale } contactRules { daysAfterAnswer } }
    ... on UserError { message code field }
  }
}
"""

PAUSE = """
mutation Pause($key: String!) {
  pauseSurvey(key: $key) { __typename ... on Survey { status } ... on UserError { code } }
}
"""

SET_STATUS = """
mutation SetStatus($key: String!, $status: SurveyStatus!) {
  setSurveyStatus(key: $key, status: $status) {
    __typename ... on Survey { status } ... on UserError { code field }
  }
}
"""

LIST = """
query List($status: SurveyStatus) { surveys(status: $status) { key status metric } }
"""


def survey_input(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "key": "ces-payroll",
        "metric": "CES",
        "product": "Payroll",
        "defaultLocale": "en",
        "channels": ["IN_APP_WEB", "EMAIL"],
        "texts": [
            {
                "locale": "en",
                "question": "How easy was it?",
                "followUp": "Why?",
                "thankYou": "Thanks!",
            },
            {
                "locale": "nb",
                "question": "Hvor enkelt var det?",
                "followUp": "Hvorfor?",
                "thankYou": "Takk!",
            },
        ],
    }
    values.update(overrides)
    return values


async def create(gql: GraphQLClient, **overrides: Any) -> dict[str, Any]:
    data = await gql.ok(CREATE, {"input": survey_input(**overrides)}, Role.ADMIN)
    result: dict[str, Any] = data["createSurvey"]
    return result


async def test_an_admin_creates_a_survey_with_default_rules(gql: GraphQLClient) -> None:
    created = await create(gql)

    assert created["__typename"] == "Survey"
    assert (created["key"], created["metric"], created["status"]) == ("ces-payroll", "CES", "DRAFT")
    assert created["scale"] == {"min": 1, "max": 7}
    assert created["contactRules"] == {
        "daysAfterAnswer": 90,
        "daysAfterDecline": 30,
        "maxDisplaysWithoutAnswer": 3,
        "minDaysBetweenDisplays": 1,
        "samplingPercent": 100.0,
        "minLogins": None,
        "minDaysSinceFirstSeen": None,
    }
    assert [text["locale"] for text in created["texts"]] == ["en", "nb"]


async def test_an_admin_updates_pauses_and_lists_surveys(gql: GraphQLClient) -> None:
    await create(gql, status="ACTIVE")
    await create(gql, key="nps-app", metric="NPS", status="ACTIVE")

    updated = await gql.ok(
        UPDATE,
        {
            "key": "ces-payroll",
            "input": {"product": "Payroll Pro", "contactRules": {"daysAfterAnswer": 60}},
        },
        Role.ADMIN,
    )
    paused = await gql.ok(PAUSE, {"key": "ces-payroll"}, Role.ADMIN)
    active = await gql.ok(LIST, {"status": "ACTIVE"}, Role.VIEWER)
    everything = await gql.ok(LIST, {}, Role.VIEWER)

    assert updated["updateSurvey"]["product"] == "Payroll Pro"
    assert updated["updateSurvey"]["contactRules"] == {"daysAfterAnswer": 60}
    assert updated["updateSurvey"]["channels"] == ["IN_APP_WEB", "EMAIL"]
    assert paused["pauseSurvey"] == {"__typename": "Survey", "status": "PAUSED"}
    assert [s["key"] for s in active["surveys"]] == ["nps-app"]
    assert [s["key"] for s in everything["surveys"]] == ["ces-payroll", "nps-app"]


async def test_an_archived_survey_stays_archived(gql: GraphQLClient) -> None:
    await create(gql)
    await gql.ok(SET_STATUS, {"key": "ces-payroll", "status": "ARCHIVED"}, Role.ADMIN)

    reopened = await gql.ok(SET_STATUS, {"key": "ces-payroll", "status": "ACTIVE"}, Role.ADMIN)

    assert reopened["setSurveyStatus"] == {
        "__typename": "ConflictError",
        "code": "INVALID_TRANSITION",
        "field": "status",
    }


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"key": "Bad Key!"}, "INVALID_INPUT", "key"),
        ({"key": " new "}, "INVALID_INPUT", "key"),  # the console's new-survey form
        ({"defaultLocale": "fr"}, "INVALID_INPUT", "defaultLocale"),
        ({"channels": []}, "INVALID_INPUT", "channels"),
        ({"texts": []}, "INVALID_INPUT", "texts"),
        ({"product": "   "}, "INVALID_INPUT", "product"),
        (
            {"contactRules": {"samplingPercent": 120}},
            "INVALID_INPUT",
            "contactRules.samplingPercent",
        ),
        (
            {"contactRules": {"daysAfterAnswer": -1}},
            "INVALID_INPUT",
            "contactRules.daysAfterAnswer",
        ),
        (
            {
                "texts": [
                    {"locale": "en", "question": "Q", "followUp": "F", "thankYou": "T"},
                    {"locale": "EN", "question": "Q", "followUp": "F", "thankYou": "T"},
                ]
            },
            "INVALID_INPUT",
            "texts.1.locale",
        ),
        (
            {"texts": [{"locale": "en", "question": "", "followUp": "F", "thankYou": "T"}]},
            "INVALID_INPUT",
            "texts.0.question",
        ),
    ],
)
async def test_invalid_surveys_are_refused(
    gql: GraphQLClient, overrides: dict[str, Any], code: str, field: str
) -> None:
    refused = await create(gql, **overrides)

    assert (refused["__typename"], refused["code"], refused["field"]) == (
        "ValidationError",
        code,
        field,
    )
    assert await Survey.find_all().count() == 0


async def test_a_duplicate_key_is_a_conflict(gql: GraphQLClient) -> None:
    await create(gql)

    again = await create(gql, product="Other")

    assert (again["__typename"], again["code"], again["field"]) == (
        "ConflictError",
        "DUPLICATE_KEY",
        "key",
    )
    stored = await Survey.find_all().to_list()
    assert [s.product for s in stored] == ["Payroll"]


async def test_updating_an_unknown_survey_is_not_found(gql: GraphQLClient) -> None:
    data = await gql.ok(UPDATE, {"key": "nope", "input": {"product": "X"}}, Role.ADMIN)

    assert data["updateSurvey"]["code"] == "NOT_FOUND"


@pytest.mark.parametrize("role", [Role.WIDGET, Role.VIEWER, Role.AGENT, Role.PRIVACY_OFFICER])
async def test_only_admins_manage_surveys(gql: GraphQLClient, role: Role) -> None:
    code = await gql.error_code(CREATE, {"input": survey_input()}, role)

    assert code == "FORBIDDEN"
    assert await Survey.find_all().count() == 0


async def test_widget_keys_cannot_read_surveys(gql: GraphQLClient) -> None:
    assert await gql.error_code(LIST, {}, Role.WIDGET) == "FORBIDDEN"


async def test_survey_status_changes_persist(gql: GraphQLClient) -> None:
    await create(gql)
    await gql.ok(SET_STATUS, {"key": "ces-payroll", "status": "ACTIVE"}, Role.ADMIN)

    stored = await Survey.find_one(Survey.key == "ces-payroll")
    assert stored is not None and stored.status is SurveyStatus.ACTIVE
