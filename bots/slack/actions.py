"""Button clicks on follow-up messages: Claim, Unclaim, Resolve, (Re)assign, Reopen."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bots.slack import blocks
from bots.slack.calls import CALL_ERRORS, failure, guarded
from bots.slack.direct import PrivateAnswers, answer_key
from bots.slack.home import HomeTabs
from bots.slack.users import SlackUsers
from hub.errors import DomainError
from hub.services import Services
from hub.services.followups.followups import AlreadyClaimed

log = logging.getLogger(__name__)


def _clicked(body: dict[str, Any]) -> tuple[str, str, str | None]:
    """The follow-up id (the button's value), the user and the channel."""
    follow_up_id = str(body["actions"][0]["value"])
    user_id = str(body["user"]["id"])
    channel_id = (body.get("channel") or {}).get("id")
    return follow_up_id, user_id, channel_id


async def open_form(
    answers: PrivateAnswers,
    client: AsyncWebClient,
    body: dict[str, Any],
    channel_id: str | None,
    view: blocks.Block,
) -> None:
    """Open a modal for the click in `body`; when Slack does not (the trigger expired:
    Slack allows 3 s), tell the person privately to try again."""
    try:
        await client.views_open(trigger_id=body["trigger_id"], view=view)
    except CALL_ERRORS as error:
        log.warning("could not open a form: %s", failure(error))
        text = "Slack did not open the form; try again."
        await answers.tell(answer_key(body), channel_id, str(body["user"]["id"]), text)


def refusal(error: DomainError) -> str:
    if isinstance(error, AlreadyClaimed) and error.claimed_by is not None:
        return f"This follow-up is already claimed by {blocks.who(error.claimed_by)}."
    return error.message


def register(app: AsyncApp, services: Services, users: SlackUsers) -> None:
    follow_ups = services.follow_ups
    answers = PrivateAnswers(services, users.client)
    home = HomeTabs(services, users.client)

    async def tell(body: dict[str, Any], channel_id: str | None, user_id: str, text: str) -> None:
        await answers.tell(answer_key(body), channel_id, user_id, text)

    @app.action(blocks.CLAIM)
    @guarded
    @home.refreshed
    async def claim(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        follow_up_id, user_id, channel_id = _clicked(body)
        actor, _ = await users.actor(user_id, (body.get("user") or {}).get("username"))
        try:
            claimed = await follow_ups.claim(follow_up_id, actor)
        except DomainError as error:
            await tell(body, channel_id, user_id, refusal(error))
            return
        await answers.tell_claimed(answer_key(body), channel_id, user_id, claimed)

    @app.action(blocks.UNCLAIM)
    @guarded
    @home.refreshed
    async def unclaim(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        follow_up_id, user_id, channel_id = _clicked(body)
        actor, is_admin = await users.actor(user_id)
        try:
            await follow_ups.unclaim(follow_up_id, actor, is_admin)
        except DomainError as error:
            await tell(body, channel_id, user_id, refusal(error))

    @app.action(blocks.RESOLVE)
    @guarded
    async def resolve(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        follow_up_id, user_id, channel_id = _clicked(body)
        actor, is_admin = await users.actor(user_id)
        try:
            follow_up = await follow_ups.may_resolve(follow_up_id, actor, is_admin)
        except DomainError as error:
            await tell(body, channel_id, user_id, refusal(error))
            return
        form = blocks.resolve_modal(follow_up, channel_id)
        await open_form(answers, client, body, channel_id, form)

    @app.action(blocks.REASSIGN)
    @guarded
    async def reassign(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        follow_up_id, user_id, channel_id = _clicked(body)
        actor, is_admin = await users.actor(user_id)
        try:
            follow_up = await services.handover.may_reassign(follow_up_id, actor, is_admin)
        except DomainError as error:
            await tell(body, channel_id, user_id, refusal(error))
            return
        form = blocks.reassign_modal(follow_up, channel_id)
        await open_form(answers, client, body, channel_id, form)

    @app.action(blocks.REOPEN)
    @guarded
    async def reopen(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        follow_up_id, user_id, channel_id = _clicked(body)
        try:
            follow_up = await services.handover.may_reopen(follow_up_id)
        except DomainError as error:
            await tell(body, channel_id, user_id, refusal(error))
            return
        form = blocks.reopen_modal(follow_up, channel_id)
        await open_form(answers, client, body, channel_id, form)
