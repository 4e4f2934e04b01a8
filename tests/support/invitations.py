"""Sending e-mail invitations through GraphQL and delivering them."""

from __future__ import annotations

from starlette.applications import Starlette

from hub.models.common import Channel, Role
from hub.services import Services
from tests.factories import person
from tests.support.graphql import GraphQLClient

SEND = """
mutation Send($survey: String!, $recipients: [UserInput!]!) {
  sendSurveyInvitations(surveyKey: $survey, recipients: $recipients) {
    __typename
    ... on InvitationsSent {
      queued { index userId expiresAt }
      skipped { index userId reason rule until }
    }
    ... on UserError { message code field }
  }
}
"""


ELIGIBILITY = """
query Eligibility($user: UserInput!) {
  surveyEligibility(surveyKey: "nps-main", user: $user, channel: IN_APP_WEB) {
    eligible reason
  }
}
"""


CHANNELS = [Channel.IN_APP_WEB, Channel.EMAIL]


def recipient(number: int, locale: str | None = None) -> dict[str, str | None]:
    user = person(number)
    return {"id": user.id, "email": user.email, "username": user.username, "locale": locale}


async def send(gql: GraphQLClient, recipients: list[dict[str, str | None]]) -> dict:  # type: ignore[type-arg]
    data = await gql.ok(SEND, {"survey": "nps-main", "recipients": recipients}, Role.ADMIN)
    result: dict = data["sendSurveyInvitations"]  # type: ignore[type-arg]
    return result


async def deliver(app: Starlette) -> None:
    services: Services = app.state.services
    await services.dispatcher.run_once()
