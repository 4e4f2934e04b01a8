"""Given steps of the privacy desk's tests: people who answered a survey, rights
requests filed as the public form files them (then verified through the e-mailed
link) or by an officer, and officers signed in to the console."""

from __future__ import annotations

import re
from dataclasses import dataclass

from hub.models.common import Channel, Role, UserIdentity
from hub.models.privacy import RightsRequestType, VerificationMethod
from hub.services import Services
from hub.services.privacy.audit import SYSTEM
from hub.services.privacy.rights import NewRequest
from tests.factories import context, make_survey
from tests.support.console import ConsoleClient, text_of
from tests.support.slack import FakeSlack

ANNA = UserIdentity(id="anna-4711", username="annalund", email="anna.lund@example.org")
BJORN = UserIdentity(id="bjorn-0815", username="bjorn", email="bjorn@example.net")
REQUEST_LINK = re.compile(r'href="/console/privacy/requests/([0-9a-f]{24})"')


@dataclass(frozen=True)
class Answered:
    """What a person left: one response with a comment."""

    response_id: str


async def given_a_survey(services: Services) -> None:
    await make_survey(services, key="nps-main")


async def answered(services: Services, who: UserIdentity, comment: str) -> Answered:
    """`who` saw the survey (given_a_survey), scored it and left `comment`."""
    display = await services.responses.record_display(
        "nps-main", who, Channel.IN_APP_WEB, context(), "en"
    )
    response = await services.responses.submit_score(str(display.id), 3)
    await services.responses.submit_comment(str(response.id), comment)
    return Answered(str(response.id))


async def public_request(
    services: Services, type_: RightsRequestType, email: str, user_id: str | None = None
) -> str:
    """A request filed through the public form and verified through its e-mailed link:
    the address is VERIFIED, the user id only CLAIMED."""
    filed = await services.rights_verification.submit(
        NewRequest(type=type_, email=email, user_id=user_id)
    )
    token = services.rights_verification.link(filed).rsplit("/", 1)[1]
    verified = await services.rights_verification.verify(str(filed.id), token)
    return str(verified.id)


async def officer_request(
    services: Services, type_: RightsRequestType, email: str, user_id: str | None = None
) -> str:
    """A request an officer filed, the person's identity checked by other means."""
    filed = await services.rights.file(
        NewRequest(type=type_, email=email, user_id=user_id),
        SYSTEM,
        VerificationMethod.OTHER_MEANS,
        "Called back on the number in the contract.",
    )
    return str(filed.id)


async def signed_in(console: ConsoleClient, services: Services, role: Role) -> ConsoleClient:
    """`console` signed in with a new personal key of `role`."""
    _, token = await services.keys.create(role, f"{role.value} desk key")
    answer = await console.sign_in_with_key(token)
    assert answer.status_code == 303, text_of(answer.text)
    return console


async def signed_in_with_slack(
    console: ConsoleClient,
    services: Services,
    slack: FakeSlack,
    name: str,
    role: Role = Role.PRIVACY_OFFICER,
    user_id: str = "U0PRIV",
) -> ConsoleClient:
    """`console` signed in through Slack as the console member `name` with `role`."""
    await services.console.set_member(user_id, role, "key:test")
    answer = await console.sign_in_with_slack(slack, user_id, name)
    assert answer.status_code == 303, text_of(answer.text)
    return console


def requests_listed(page: str) -> list[str]:
    """The request ids a queue page lists, in its order."""
    return REQUEST_LINK.findall(page)
