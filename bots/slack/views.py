"""The submissions of the Resolve, Assign and Reopen modals."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bots.slack import blocks
from bots.slack.actions import refusal, tell
from bots.slack.users import SlackUsers
from hub.errors import DomainError
from hub.services import Services
from hub.services.followups.followups import MAX_NOTE_LENGTH


def register(app: AsyncApp, services: Services, users: SlackUsers) -> None:
    @app.view(blocks.RESOLVE_VIEW)
    async def resolve_submitted(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        values = (view.get("state") or {}).get("values") or {}
        note_input = (values.get(blocks.NOTE_BLOCK) or {}).get(blocks.NOTE_INPUT) or {}
        note = str(note_input.get("value") or "").strip()
        if not note or len(note) > MAX_NOTE_LENGTH:
            await ack(
                response_action="errors",
                errors={blocks.NOTE_BLOCK: "Say what was done (up to 3000 characters)."},
            )
            return
        await ack()
        selected = values.get(blocks.INFORMED_BLOCK, {}).get(blocks.INFORMED_INPUT, {})
        informed = any(
            option.get("value") == "informed" for option in selected.get("selected_options") or []
        )
        metadata = _metadata(view)
        user_id = str(body["user"]["id"])
        actor, is_admin = await users.actor(user_id)
        try:
            await services.follow_ups.resolve(
                str(metadata.get("follow_up_id", "")), actor, note, informed, is_admin
            )
        except DomainError as error:
            await tell(client, metadata.get("channel_id"), user_id, refusal(error))

    @app.view(blocks.REASSIGN_VIEW)
    async def reassign_submitted(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        await ack()
        values = (view.get("state") or {}).get("values") or {}
        picked = (values.get(blocks.ASSIGNEE_BLOCK) or {}).get(blocks.ASSIGNEE_INPUT) or {}
        selected = picked.get("selected_user")
        metadata = _metadata(view)
        user_id = str(body["user"]["id"])
        actor, is_admin = await users.actor(user_id)
        to = (await users.actor(str(selected)))[0] if selected else None
        try:
            await services.handover.reassign(
                str(metadata.get("follow_up_id", "")), actor, to, is_admin
            )
        except DomainError as error:
            await tell(client, metadata.get("channel_id"), user_id, refusal(error))

    @app.view(blocks.REOPEN_VIEW)
    async def reopen_submitted(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        values = (view.get("state") or {}).get("values") or {}
        reason_input = (values.get(blocks.REASON_BLOCK) or {}).get(blocks.REASON_INPUT) or {}
        reason = str(reason_input.get("value") or "").strip()
        if not reason or len(reason) > MAX_NOTE_LENGTH:
            await ack(
                response_action="errors",
                errors={blocks.REASON_BLOCK: "Say why (up to 3000 characters)."},
            )
            return
        await ack()
        metadata = _metadata(view)
        user_id = str(body["user"]["id"])
        actor, _ = await users.actor(user_id)
        try:
            await services.handover.reopen(str(metadata.get("follow_up_id", "")), actor, reason)
        except DomainError as error:
            await tell(client, metadata.get("channel_id"), user_id, refusal(error))


def _metadata(view: dict[str, Any]) -> dict[str, Any]:
    """The modal's private metadata, which we wrote; anything else reads as empty."""
    try:
        found = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}
