"""Helpers of the responses list and follow-ups board tests: signing in as a role with
an API key or with Slack, and the follow-up ids a page links to."""

from __future__ import annotations

import re

from hub.models.common import Role
from hub.services import Services
from tests.support.console import ConsoleClient
from tests.support.slack import FakeSlack


async def sign_in_as(console: ConsoleClient, services: Services, role: Role, label: str) -> str:
    """Sign in with a new API key of `role`; the actor id the hub records for it."""
    key, token = await services.keys.create(role, label)
    answer = await console.sign_in_with_key(token)
    assert answer.status_code == 303, answer.text
    return f"key:{key.id}"


async def sign_in_with_slack_as(
    console: ConsoleClient,
    services: Services,
    slack: FakeSlack,
    user_id: str,
    name: str,
    role: Role = Role.AGENT,
) -> str:
    """Sign in through the fake Slack as a member with `role`; the actor id."""
    await services.console.set_member(user_id, role, "key:admin")
    answer = await console.sign_in_with_slack(slack, user_id, name)
    assert answer.status_code == 303, answer.text
    return f"slack:{user_id}"


def follow_up_links(page: str) -> list[str]:
    """The follow-up ids the page links to, in order."""
    return re.findall(r'href="/console/follow-ups/([0-9a-f]{24})"', page)
