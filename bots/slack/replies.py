"""Replying to the customer from Slack: the "Reply to customer" button opens a form
for the claimer, and its submission e-mails the customer through the outbox. A
refusal (not the claimer, the person objected, is restricted or erased, or left no
address) is told before the form opens, or shown in the form."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bots.slack import blocks
from bots.slack.actions import _clicked, open_form, refusal
from bots.slack.calls import guarded
from bots.slack.direct import PrivateAnswers, answer_key
from bots.slack.home import HomeTabs
from bots.slack.users import SlackUsers
from bots.slack.views import _metadata, _text_problem
from hub.errors import DomainError
from hub.services import Services


def register(app: AsyncApp, services: Services, users: SlackUsers) -> None:
    answers = PrivateAnswers(services, users.client)
    home = HomeTabs(services, users.client)

    @app.action(blocks.REPLY)
    @guarded
    async def reply(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        follow_up_id, user_id, channel_id = _clicked(body)
        actor, _ = await users.actor(user_id)
        try:
            draft = await services.replies.draft(follow_up_id, actor)
        except DomainError as error:
            await answers.tell(answer_key(body), channel_id, user_id, refusal(error))
            return
        language = f"{draft.language_name} ({draft.language})"
        view = blocks.reply_modal(
            draft.follow_up, draft.response.comment or "", language, channel_id
        )
        await open_form(answers, client, body, channel_id, view)

    @app.view(blocks.REPLY_VIEW)
    @guarded
    @home.refreshed
    async def reply_submitted(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        values = (view.get("state") or {}).get("values") or {}
        box = (values.get(blocks.REPLY_BLOCK) or {}).get(blocks.REPLY_INPUT) or {}
        text = str(box.get("value") or "").strip()
        problem = _text_problem(text, "The reply", "Write the reply (up to 3000 characters).")
        if problem is not None:
            await ack(response_action="errors", errors={blocks.REPLY_BLOCK: problem})
            return
        actor, _ = await users.actor(str(body["user"]["id"]))
        # The form's view id names this submission: sent again, it is the same reply.
        request_key = f"slack-view:{view['id']}" if view.get("id") else None
        try:
            await services.replies.send(
                str(_metadata(view).get("follow_up_id", "")), actor, text, request_key
            )
        except DomainError as error:
            await ack(response_action="errors", errors={blocks.REPLY_BLOCK: refusal(error)})
            return
        await ack()
