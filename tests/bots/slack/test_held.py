"""Held, not lost: a Slack delivery refused for a reason a person can fix waits for its
channel, visible to admins, and goes out by itself once the cause is gone (the bot
is invited, the token works again) or when an admin retries."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from hub.clock import FrozenClock
from hub.models.common import Role
from hub.models.outbox import OutboxMessage, OutboxStatus
from hub.server.app import create_app
from hub.services import Services
from hub.settings import Settings
from tests.support.graphql import GraphQLClient, nodes
from tests.support.slack import FakeSlack
from tests.support.slack_hub import DIGEST_THRESHOLD
from tests.support.slack_sender import SlackSender
from tests.support.waiting import eventually
from tests.support.widget import Widget, follow_up_of

SLACK_DELIVERIES = """
query SlackDeliveries($status: MessageDelivery, $channel: String) {
  slackDeliveries(status: $status, channel: $channel) {
    totalCount
    edges { node { kind channel status lastErrorCode fix } }
  }
}"""
RETRY = """
mutation Retry($channel: String) {
  retrySlackDeliveries(channel: $channel) {
    __typename
    ... on SlackRetry { released }
    ... on ValidationError { code field }
  }
}"""


@pytest.fixture
async def gql(hub_services: Services, hub_http: httpx.AsyncClient) -> GraphQLClient:
    tokens = {role: (await hub_services.keys.create(role, role.value))[1] for role in Role}
    return GraphQLClient(hub_http, tokens)


async def statuses(kind: str = "slack.post") -> list[tuple[OutboxStatus, str | None]]:
    found = await OutboxMessage.find(OutboxMessage.kind == kind).sort("+created_at").to_list()
    return [(message.status, message.last_error) for message in found]


def posted_ids(slack: FakeSlack, channel: str) -> list[str]:
    return [
        str(message.metadata["event_payload"]["follow_up_id"])
        for message in slack.channel_messages(channel)
        if message.metadata
    ]


async def test_a_post_to_a_channel_without_the_bot_goes_out_once_it_is_invited(
    hub_services: Services, widget: Widget, slack: FakeSlack, sender: SlackSender
) -> None:
    # Given a routed channel the bot has not been invited to
    await hub_services.routing.set_defaults("CROUTED", None)
    slack.bot_channels = set()
    response = await widget.answer(4, "Invoices are slow")

    # When the dispatcher tries to post it
    await hub_services.dispatcher.run_once()

    # Then Slack refused it, and it is held (not given up) with its reason
    assert slack.channel_messages("CROUTED") == []
    assert await statuses() == [(OutboxStatus.HELD, "not_in_channel")]

    # And trying again changes nothing while the cause stays
    await hub_services.dispatcher.run_once()
    assert len(slack.calls_to("chat.postMessage")) == 1

    # When someone invites the bot (Slack sends member_joined_channel for the bot user)
    slack.bot_channels = {"CROUTED"}
    answer = await sender.event(
        {"type": "member_joined_channel", "user": "U0BOT", "channel": "CROUTED"}
    )
    assert answer.status_code == 200

    # Then the held post goes out, once
    async def posted() -> bool:
        await hub_services.dispatcher.run_once()
        return len(slack.channel_messages("CROUTED")) == 1

    await eventually(posted)
    assert posted_ids(slack, "CROUTED") == [str((await follow_up_of(response)).id)]
    assert await statuses() == [(OutboxStatus.DELIVERED, None)]


async def test_a_backlog_held_for_a_channel_goes_out_as_one_digest(
    hub_services: Services, widget: Widget, slack: FakeSlack, sender: SlackSender
) -> None:
    # Given more comments than the digest threshold for a channel without the bot
    await hub_services.routing.set_defaults("CROUTED", None)
    slack.bot_channels = set()
    for score in range(DIGEST_THRESHOLD + 2):
        await widget.answer(score, f"comment number {score}")

    # When the dispatcher tries: one digest is refused, and every line is held with it
    await hub_services.dispatcher.run_once()
    assert len(slack.calls_to("chat.postMessage")) == 1
    assert await statuses() == [(OutboxStatus.HELD, "not_in_channel")] * (DIGEST_THRESHOLD + 2)

    # Then, once the bot joins, they go out as one digest
    slack.bot_channels = {"CROUTED"}
    await sender.event({"type": "member_joined_channel", "user": "U0BOT", "channel": "CROUTED"})

    async def posted() -> bool:
        await hub_services.dispatcher.run_once()
        return len(slack.channel_messages("CROUTED")) > 0

    await eventually(posted)
    [digest] = slack.channel_messages("CROUTED")
    assert digest.text == f"{DIGEST_THRESHOLD + 2} new feedback comments"
    assert len(slack.calls_to("chat.postMessage")) == 2


async def test_someone_else_joining_releases_nothing(
    hub_services: Services, widget: Widget, slack: FakeSlack, sender: SlackSender
) -> None:
    await hub_services.routing.set_defaults("CROUTED", None)
    slack.bot_channels = set()
    await widget.answer(4)
    await hub_services.dispatcher.run_once()

    await sender.event({"type": "member_joined_channel", "user": "UPERSON", "channel": "CROUTED"})
    await sender.event({"type": "member_joined_channel", "user": "U0BOT", "channel": "COTHER"})
    await eventually(lambda: len(slack.calls_to("auth.test")) >= 1)
    await hub_services.dispatcher.run_once()

    assert await statuses() == [(OutboxStatus.HELD, "not_in_channel")]
    assert len(slack.calls_to("chat.postMessage")) == 1


async def test_posts_held_by_a_bad_token_go_out_when_the_token_works_again(
    hub_services: Services, widget: Widget, slack: FakeSlack, clock: FrozenClock
) -> None:
    # Given a token Slack refuses
    await hub_services.routing.set_defaults("CROUTED", "CESCALATE")
    slack.bad_tokens = {"xoxb-test"}
    await widget.answer(2, "Nothing works")
    await hub_services.dispatcher.run_once()
    assert await statuses() == [(OutboxStatus.HELD, "invalid_auth")] * 2

    # When the token check runs while it is still refused, nothing is released
    await hub_services.scheduler.run_due()
    await hub_services.dispatcher.run_once()
    assert [status for status, _ in await statuses()] == [OutboxStatus.HELD] * 2

    # And when the token works again and the next periodic check comes
    slack.bad_tokens = set()
    clock.advance(timedelta(seconds=hub_services.settings.slack_token_check_seconds))
    assert "slack-token-check" in await hub_services.scheduler.run_due()
    await hub_services.dispatcher.run_once()

    # Then both posts are in their channels, once each
    assert len(slack.channel_messages("CROUTED")) == 1
    assert len(slack.channel_messages("CESCALATE")) == 1
    assert await statuses() == [(OutboxStatus.DELIVERED, None)] * 2


async def test_the_token_check_asks_slack_only_while_something_is_held(
    hub_services: Services, clock: FrozenClock, slack: FakeSlack
) -> None:
    for _ in range(3):
        await hub_services.scheduler.run_due()
        clock.advance(timedelta(seconds=hub_services.settings.slack_token_check_seconds))

    assert slack.calls_to("auth.test") == []


@pytest.mark.parametrize("reason", ["is_archived", "channel_not_found", "token_revoked"])
async def test_admins_see_held_posts_with_the_fix_and_retry_them(
    hub_services: Services,
    widget: Widget,
    slack: FakeSlack,
    gql: GraphQLClient,
    reason: str,
) -> None:
    # Given two posts refused for a reason a person can fix, one per channel
    await hub_services.routing.set_defaults("CROUTED", "CESCALATE")
    slack.refuse("chat.postMessage", reason, times=2)
    await widget.answer(1, "Broken again")
    await hub_services.dispatcher.run_once()

    # Then admins see them held, per channel, with the reason and what to do
    held = (await gql.ok(SLACK_DELIVERIES, {"status": "HELD"}, Role.ADMIN))["slackDeliveries"]
    assert held["totalCount"] == 2
    assert {(n["channel"], n["status"], n["lastErrorCode"]) for n in nodes(held)} == {
        ("CROUTED", "HELD", reason),
        ("CESCALATE", "HELD", reason),
    }
    assert all(n["fix"] for n in nodes(held))
    one = await gql.ok(SLACK_DELIVERIES, {"status": "HELD", "channel": "CROUTED"}, Role.ADMIN)
    assert [n["channel"] for n in nodes(one["slackDeliveries"])] == ["CROUTED"]

    # When the cause is fixed and an admin retries one channel
    retried = await gql.ok(RETRY, {"channel": "CROUTED"}, Role.ADMIN)
    assert retried["retrySlackDeliveries"] == {"__typename": "SlackRetry", "released": 1}
    await hub_services.dispatcher.run_once()

    # Then that channel's post goes out and the other one still waits
    assert len(slack.channel_messages("CROUTED")) == 1
    assert slack.channel_messages("CESCALATE") == []

    # And retrying every channel sends the rest, each once
    everything = await gql.ok(RETRY, {}, Role.ADMIN)
    assert everything["retrySlackDeliveries"]["released"] == 1
    await hub_services.dispatcher.run_once()
    assert len(slack.channel_messages("CESCALATE")) == 1
    assert len(slack.calls_to("chat.postMessage")) == 4


async def test_a_retry_names_a_channel_id_or_changes_nothing(gql: GraphQLClient) -> None:
    answer = await gql.ok(RETRY, {"channel": "#support{$ne:1}"}, Role.ADMIN)
    assert answer["retrySlackDeliveries"] == {
        "__typename": "ValidationError",
        "code": "INVALID_INPUT",
        "field": "channel",
    }


@pytest.mark.parametrize("role", [Role.VIEWER, Role.AGENT, Role.PRIVACY_OFFICER])
async def test_only_admins_see_and_retry_held_posts(gql: GraphQLClient, role: Role) -> None:
    assert await gql.error_code(SLACK_DELIVERIES, {}, role) == "FORBIDDEN"
    assert await gql.error_code(RETRY, {}, role) == "FORBIDDEN"


async def test_a_held_post_about_a_person_erased_meanwhile_is_dropped(
    hub_services: Services, widget: Widget, slack: FakeSlack
) -> None:
    await hub_services.routing.set_defaults("CROUTED", None)
    slack.bot_channels = set()
    follow_up = await follow_up_of(await widget.answer(4, "Call me on +47 912 34 567"))
    await hub_services.dispatcher.run_once()
    assert await statuses() == [(OutboxStatus.HELD, "not_in_channel")]

    await hub_services.follow_ups.redact_subject(follow_up.subject_id)
    slack.bot_channels = {"CROUTED"}

    assert await statuses() == []
    assert await hub_services.slack_holds.retry(None) == 0
    await hub_services.dispatcher.run_once()
    assert slack.channel_messages("CROUTED") == []


async def test_a_refusal_nobody_can_fix_is_still_given_up(
    hub_services: Services, widget: Widget, slack: FakeSlack
) -> None:
    await hub_services.routing.set_defaults("CROUTED", None)
    slack.refuse("chat.postMessage", "msg_too_long")
    await widget.answer(4)

    await hub_services.dispatcher.run_once()

    assert await statuses() == [(OutboxStatus.FAILED, "msg_too_long")]


async def test_the_ops_channel_is_told_once_per_channel_and_cause(
    slack_settings: Settings, clock: FrozenClock, slack: FakeSlack
) -> None:
    # Given an ops channel, and a routed channel the bot is not in
    app = create_app(slack_settings.model_copy(update={"slack_ops_channel": "COPS"}), clock)
    async with app.router.lifespan_context(app):
        services: Services = app.state.services
        widget = Widget(services)
        await services.routing.set_defaults("CROUTED", None)
        slack.bot_channels = {"COPS"}

        # When three posts are held there, over two dispatcher runs
        for _ in range(3):
            await widget.answer(4)
        await services.dispatcher.run_once()
        await services.dispatcher.run_once()

        # Then the ops channel was told once, with the channel, the cause and the fix
        [notice] = slack.channel_messages("COPS")
        assert "<#CROUTED>" in notice.text and "/invite @feedback-hub" in notice.text
        assert "not_in_channel" in notice.text

        # When the bot is invited, everything goes out; later it is removed again
        slack.bot_channels = {"COPS", "CROUTED"}
        assert await services.slack_holds.retry(None) == 3
        await services.dispatcher.run_once()
        assert len(slack.channel_messages("CROUTED")) == 3
        slack.bot_channels = {"COPS"}
        await widget.answer(5)
        await services.dispatcher.run_once()

        # Then the ops channel hears of it again, once
        assert len(slack.channel_messages("COPS")) == 2
