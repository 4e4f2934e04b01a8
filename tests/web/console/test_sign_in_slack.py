"""Signing in to the console with Slack (OpenID Connect against the fake Slack): who
gets in with which role, and every way an attempt can go wrong."""

from __future__ import annotations

from datetime import timedelta

from hub.clock import FrozenClock
from hub.models.common import Role
from hub.models.console import ConsoleSession
from hub.services import Services
from tests.support.console import ConsoleClient, text_of
from tests.support.slack import FakeSlack


async def test_a_member_signs_in_and_lands_on_their_first_section(
    console: ConsoleClient, slack: FakeSlack, services: Services
) -> None:
    await services.console.set_member("U0VIEW", Role.VIEWER, "key:admin")
    answer = await console.sign_in_with_slack(slack, "U0VIEW", "Vera Viewer")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/console"
    cookie = answer.headers["set-cookie"]
    assert "fh_console=" in cookie
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/console" in cookie
    assert "Secure" not in cookie  # plain http here; https: test_sessions
    home = await console.get("/console")
    assert home.status_code == 303
    assert home.headers["location"] == "/console/dashboard"
    session = await ConsoleSession.find_one()
    assert session is not None
    assert (session.kind, session.subject, session.name, session.role) == (
        "slack",
        "U0VIEW",
        "Vera Viewer",
        Role.VIEWER,
    )
    # The authorization request asked Slack for what the sign-in needs, and no more.
    asked = slack.sign_in.authorizations[-1]
    assert asked["scope"] == "openid profile"
    assert asked["redirect_uri"] == "http://hub.test/console/sign-in/slack/callback"


async def test_a_user_group_gives_its_role_and_the_strongest_role_wins(
    console: ConsoleClient, second_browser: ConsoleClient, slack: FakeSlack, services: Services
) -> None:
    slack.usergroup_members = {"S0PRIV": ["U0ANA", "U0BOB"], "S0EMPTY": []}
    await services.console.set_member("S0PRIV", Role.PRIVACY_OFFICER, "key:admin")
    await services.console.set_member("S0EMPTY", Role.ADMIN, "key:admin")
    await services.console.set_member("U0ANA", Role.VIEWER, "key:admin")
    assert (await console.sign_in_with_slack(slack, "U0ANA")).status_code == 303
    assert (await second_browser.sign_in_with_slack(slack, "U0BOB")).status_code == 303
    roles = {s.subject: s.role for s in await ConsoleSession.find_all().to_list()}
    assert roles == {"U0ANA": Role.PRIVACY_OFFICER, "U0BOB": Role.PRIVACY_OFFICER}


async def test_someone_not_let_in_gets_a_clear_refusal_and_no_session(
    console: ConsoleClient, slack: FakeSlack, services: Services
) -> None:
    await services.console.set_member("U0OTHER", Role.ADMIN, "key:admin")
    answer = await console.sign_in_with_slack(slack, "U0STRANGER")
    assert answer.status_code == 403
    assert "Ask an admin to add you" in text_of(answer.text)
    assert await ConsoleSession.count() == 0
    assert (await console.get("/console")).status_code == 303  # to the sign-in page
    assert (await console.get("/console")).headers["location"].startswith("/console/sign-in")


async def test_a_member_of_another_workspace_is_refused(
    console: ConsoleClient, slack: FakeSlack, services: Services
) -> None:
    await services.console.set_member("U0VIEW", Role.ADMIN, "key:admin")
    answer = await console.sign_in_with_slack(slack, "U0VIEW", team_id="T0EVIL")
    assert answer.status_code == 403
    assert "workspace may not use the console" in text_of(answer.text)
    assert await ConsoleSession.count() == 0


async def test_a_callback_with_another_state_or_a_used_code_is_refused(
    console: ConsoleClient, second_browser: ConsoleClient, slack: FakeSlack, services: Services
) -> None:
    await services.console.set_member("U0VIEW", Role.VIEWER, "key:admin")
    slack.sign_in.sign_in_as("U0VIEW")
    # A callback without the attempt's cookie (another browser: login CSRF) fails.
    path = await console.through_slack()
    assert (await second_browser.get(path)).status_code == 403
    # A state changed in the address fails too, and the code it carried is spent.
    forged = path.replace("state=", "state=x")
    assert (await console.get(forged)).status_code == 403
    assert await ConsoleSession.count() == 0


async def test_a_code_works_once(
    console: ConsoleClient, slack: FakeSlack, services: Services
) -> None:
    await services.console.set_member("U0VIEW", Role.VIEWER, "key:admin")
    slack.sign_in.sign_in_as("U0VIEW")
    path = await console.through_slack()
    assert (await console.get(path)).status_code == 303
    assert (await console.get("/console/nowhere")).status_code == 404  # a page to leave from
    await console.sign_out()
    # Replaying the same callback (with the attempt's cookie gone) signs nobody in.
    replay = await console.get(path)
    assert replay.status_code == 403
    assert await ConsoleSession.count() == 0


async def test_an_id_token_for_another_nonce_is_refused(
    console: ConsoleClient, slack: FakeSlack, services: Services
) -> None:
    await services.console.set_member("U0VIEW", Role.VIEWER, "key:admin")
    slack.sign_in.forged_nonce = "not-the-one-asked-for"
    assert (await console.sign_in_with_slack(slack, "U0VIEW")).status_code == 403
    assert await ConsoleSession.count() == 0


async def test_declining_at_slack_and_slack_down_are_told_apart(
    console: ConsoleClient, slack: FakeSlack, services: Services
) -> None:
    await services.console.set_member("U0VIEW", Role.VIEWER, "key:admin")
    slack.sign_in.person = None
    declined = await console.get(await console.through_slack())
    assert declined.status_code == 403
    assert "did not confirm who you are" in text_of(declined.text)
    slack.go_down(503)
    down = await console.sign_in_with_slack(slack, "U0VIEW")
    assert down.status_code == 403
    assert "could not be reached" in text_of(down.text)
    assert await ConsoleSession.count() == 0


async def test_changing_or_removing_a_member_ends_their_sessions(
    console: ConsoleClient, slack: FakeSlack, services: Services
) -> None:
    await services.console.set_member("U0ANA", Role.ADMIN, "key:admin")
    await console.sign_in_with_slack(slack, "U0ANA")
    assert (await console.get("/console")).headers["location"] == "/console/dashboard"
    await services.console.set_member("U0ANA", Role.VIEWER, "key:admin")
    assert (await console.get("/console")).headers["location"].startswith("/console/sign-in")
    await console.sign_in_with_slack(slack, "U0ANA")
    assert (await ConsoleSession.find_one()).role is Role.VIEWER  # type: ignore[union-attr]
    await services.console.remove_member("U0ANA")
    assert (await console.get("/console")).headers["location"].startswith("/console/sign-in")
    assert await ConsoleSession.count() == 0


async def test_sessions_end_when_idle_and_after_the_longest_time(
    console: ConsoleClient, slack: FakeSlack, services: Services, clock: FrozenClock
) -> None:
    await services.console.set_member("U0ANA", Role.VIEWER, "key:admin")
    await console.sign_in_with_slack(slack, "U0ANA")
    # Used every 20 minutes, it lives on…
    for _ in range(3):
        clock.advance(timedelta(minutes=20))
        assert (await console.get("/console")).headers["location"] == "/console/dashboard"
    # …until 30 minutes pass without a page.
    clock.advance(timedelta(minutes=31))
    expired = await console.get("/console")
    assert expired.headers["location"] == "/console/sign-in?next=%2Fconsole&expired=1"
    page = await console.get(expired.headers["location"])
    assert "Your session ended" in text_of(page.text)
    # Used all the time, it still ends 12 hours after sign-in.
    await console.sign_in_with_slack(slack, "U0ANA")
    for _ in range(36):
        clock.advance(timedelta(minutes=20))
        await console.get("/console")
    assert (await console.get("/console")).headers["location"].startswith("/console/sign-in")
