"""/console/members: admins let Slack users and user groups into the console, change
their role and take them off; nobody else may."""

from __future__ import annotations

import pytest

from hub.models.common import Role
from hub.models.console import ConsoleMember, ConsoleSession
from hub.services import Services
from tests.support.console import ConsoleClient, text_of
from tests.support.slack import FakeSlack


async def signed_in_admin(console: ConsoleClient, services: Services, slack: FakeSlack) -> None:
    await services.console.set_member("U0ADA", Role.ADMIN, "cli")
    answer = await console.sign_in_with_slack(slack, "U0ADA", "Ada Admin")
    assert answer.status_code == 303, answer.text


async def members() -> list[tuple[str, Role, str]]:
    found = await ConsoleMember.find_all().sort("+slack_id").to_list()
    return [(member.slack_id, member.role, member.added_by) for member in found]


async def test_an_admin_adds_changes_and_removes_a_member(
    console: ConsoleClient, second_browser: ConsoleClient, services: Services, slack: FakeSlack
) -> None:
    await signed_in_admin(console, services, slack)
    page = await console.open("/console/members")
    assert 'href="/console/members" aria-current="page">Members</a>' in page
    assert "U0ADA" in text_of(page)

    added = await console.post("/console/members/set", {"slackId": " U0BOB ", "role": "AGENT"})

    assert added.status_code == 303
    assert added.headers["location"] == "/console/members?notice=members_saved"
    assert [m[:2] for m in await members()] == [("U0ADA", Role.ADMIN), ("U0BOB", Role.AGENT)]
    assert (await members())[1][2] != "cli"  # who added them is the admin's principal
    bob = await second_browser.sign_in_with_slack(slack, "U0BOB", "Bob")
    assert bob.status_code == 303
    assert await ConsoleSession.find({"subject": "U0BOB"}).count() == 1

    await console.open("/console/members")
    changed = await console.post(
        "/console/members/set", {"slackId": "U0BOB", "role": "VIEWER", "which": "change"}
    )
    assert changed.status_code == 303
    assert [m[:2] for m in await members()][1] == ("U0BOB", Role.VIEWER)
    assert (await second_browser.get("/console/surveys")).status_code == 303  # session ended

    await console.open("/console/members")
    removed = await console.post("/console/members/remove", {"slackId": "U0BOB"})
    assert removed.status_code == 303
    assert [m[0] for m in await members()] == ["U0ADA"]
    page = text_of(await console.open(removed.headers["location"]))
    assert "The member was removed" in page

    again = await console.post("/console/members/remove", {"slackId": "U0BOB"})
    assert again.status_code == 404
    assert "This member was already removed." in text_of(again.text)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"slackId": "ana@example.com", "role": "ADMIN"}, "slackId", "Not a Slack user id"),
        ({"slackId": "U0BOB", "role": "WIDGET"}, "role", "Choose one of the roles."),
        ({"slackId": "U0BOB", "role": "ROOT"}, "role", "Choose one of the roles."),
    ],
)
async def test_bad_member_input_is_shown_next_to_its_field(
    console: ConsoleClient,
    services: Services,
    slack: FakeSlack,
    data: dict[str, str],
    field: str,
    message: str,
) -> None:
    await signed_in_admin(console, services, slack)
    await console.open("/console/members")

    answer = await console.post("/console/members/set", data)

    assert answer.status_code == 400
    assert f'id="problem-{field}"' in answer.text and message in answer.text
    assert [m[0] for m in await members()] == ["U0ADA"]


@pytest.mark.parametrize("role", [Role.VIEWER, Role.AGENT, Role.PRIVACY_OFFICER])
async def test_other_roles_neither_see_nor_change_members(
    console: ConsoleClient, services: Services, slack: FakeSlack, role: Role
) -> None:
    await services.console.set_member("U0EVE", role, "cli")
    await console.sign_in_with_slack(slack, "U0EVE", "Eve")
    page = await console.open("/console/surveys")
    assert "/console/members" not in page

    assert (await console.get("/console/members")).status_code == 403
    forged = await console.post("/console/members/set", {"slackId": "U0EVE", "role": "ADMIN"})
    removed = await console.post("/console/members/remove", {"slackId": "U0EVE"})

    assert forged.status_code == 403 and removed.status_code == 403
    assert await members() == [("U0EVE", role, "cli")]


async def test_a_member_post_without_its_csrf_token_is_refused(
    console: ConsoleClient, services: Services, slack: FakeSlack
) -> None:
    await signed_in_admin(console, services, slack)
    await console.open("/console/members")
    answer = await console.post(
        "/console/members/set", {"slackId": "U0BOB", "role": "ADMIN"}, csrf="x"
    )
    assert answer.status_code == 403
    assert [m[0] for m in await members()] == ["U0ADA"]


async def test_an_expired_session_changes_nothing(
    console: ConsoleClient, services: Services, slack: FakeSlack
) -> None:
    await signed_in_admin(console, services, slack)
    await console.open("/console/members")
    await services.console.remove_member("U0ADA")  # ends the session

    answer = await console.post("/console/members/set", {"slackId": "U0BOB", "role": "ADMIN"})

    assert answer.status_code == 401
    assert await members() == []
