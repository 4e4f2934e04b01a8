"""Answering surveys the way the widget does, through the services or GraphQL."""

from __future__ import annotations

from typing import Any

from hub.models.common import Channel, Metric, Role
from hub.models.followup import FollowUp
from hub.models.response import Response
from hub.services import Services
from tests.factories import context, make_survey, person
from tests.support.graphql import GraphQLClient


class Widget:
    """Answers surveys the way the widget does, one new person each time."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.people = 0
        self.surveys: set[str] = set()

    async def answer(
        self,
        score: int,
        comment: str | None = "The invoices page is slow.",
        survey_key: str = "nps-main",
        metric: Metric = Metric.NPS,
        product: str = "Accounting",
        country: str = "NO",
        company: str = "Acme AS",
        locale: str = "en",
        identity: dict[str, Any] | None = None,
    ) -> Response:
        """`identity` overrides fields of the new person (`{"email": None}`: no address)."""
        if survey_key not in self.surveys:
            await make_survey(self.services, key=survey_key, metric=metric, product=product)
            self.surveys.add(survey_key)
        self.people += 1
        display = await self.services.responses.record_display(
            survey_key,
            person(self.people, **(identity or {})),
            Channel.IN_APP_WEB,
            context(country=country, company=company, product=product),
            locale,
        )
        response = await self.services.responses.submit_score(str(display.id), score)
        if comment is None:
            return response
        return await self.services.responses.submit_comment(str(response.id), comment)


async def follow_up_of(response: Response) -> FollowUp:
    found = await FollowUp.find_one(FollowUp.response_id == response.id)
    assert found is not None
    return found


RECORD_DISPLAY = """
mutation Show($survey: String!, $user: UserInput!, $channel: Channel!,
              $context: DisplayContextInput) {
  recordDisplay(surveyKey: $survey, user: $user, channel: $channel, context: $context) {
    __typename
    ... on DisplayRecorded { displayId shownAt survey { locale question } }
    ... on UserError { message code field }
  }
}
"""


SUBMIT_SCORE = """
mutation Score($display: ID!, $score: Int!) {
  submitScore(displayId: $display, score: $score) {
    __typename
    ... on ScoreSubmitted { responseId score followUp }
    ... on UserError { message code field }
  }
}
"""


SUBMIT_COMMENT = """
mutation Comment($response: ID!, $comment: String!) {
  submitComment(responseId: $response, comment: $comment) {
    __typename
    ... on CommentSubmitted { responseId thankYou }
    ... on UserError { message code field }
  }
}
"""


USER = {"id": "u-42", "username": "kari", "email": "kari@example.org", "locale": "en"}


CONTEXT = {
    "company": "Acme AS",
    "country": "no",
    "url": "https://app.example.org/invoices",
}


async def show(
    gql: GraphQLClient, survey: str = "nps-main", user: dict[str, Any] | None = None, **extra: Any
) -> dict[str, Any]:
    variables = {"survey": survey, "user": user or USER, "channel": "IN_APP_WEB"}
    variables.update(extra)
    variables.setdefault("context", CONTEXT)
    data = await gql.ok(RECORD_DISPLAY, variables, Role.WIDGET)
    result: dict[str, Any] = data["recordDisplay"]
    return result


async def score(gql: GraphQLClient, display_id: str, value: int) -> dict[str, Any]:
    data = await gql.ok(SUBMIT_SCORE, {"display": display_id, "score": value}, Role.WIDGET)
    result: dict[str, Any] = data["submitScore"]
    return result


async def comment(gql: GraphQLClient, response_id: str, text: str) -> dict[str, Any]:
    data = await gql.ok(SUBMIT_COMMENT, {"response": response_id, "comment": text}, Role.WIDGET)
    result: dict[str, Any] = data["submitComment"]
    return result
