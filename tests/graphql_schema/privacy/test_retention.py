"""Retention settings over GraphQL: a missing optional argument takes its documented
default."""

from __future__ import annotations

from hub.models.common import Role
from hub.models.privacy import SurveyRetention
from hub.services import Services
from tests.factories import make_survey
from tests.support.graphql import GraphQLClient

SET_WITHOUT_DAYS = """
mutation { setSurveyRetention(surveyKey: "nps-main") {
  __typename ... on SurveyRetentionSet { surveyKey days } ... on UserError { code }
} }"""
SET_DAYS = """
mutation { setSurveyRetention(surveyKey: "nps-main", days: 30) { __typename } }"""


async def test_a_survey_retention_without_days_returns_to_the_default(
    services: Services, gql: GraphQLClient
) -> None:
    await make_survey(services)
    await gql.ok(SET_DAYS, role=Role.PRIVACY_OFFICER)

    body = await gql.ok(SET_WITHOUT_DAYS, role=Role.PRIVACY_OFFICER)

    assert body["setSurveyRetention"] == {
        "__typename": "SurveyRetentionSet",
        "surveyKey": "nps-main",
        "days": None,
    }
    stored = await SurveyRetention.find_one(SurveyRetention.survey_key == "nps-main")
    assert stored is not None and stored.days is None
