"""The submissions of the Resolve, Assign and Reopen modals."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bots.slack import blocks
from bots.slack.actions import refusal
from bots.slack.calls import guarded
from bots.slack.direct import PrivateAnswers, answer_key
from bots.slack.home import HomeTabs
from bots.slack.users import SlackUsers
from hub.errors import DomainError, ValidationFailed
from hub.services import Services
from hub.services.followups.followups import MAX_NOTE_LENGTH
from hub.services.platform import validation


def register(app: AsyncApp, services: Services, users: SlackUsers) -> None:
    answers = PrivateAnswers(services, users.client)
    home = HomeTabs(services, users.client)

    @app.view(blocks.RESOLVE_VIEW)
    @guarded
    @home.refreshed
    async def resolve_submitted(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        values = (view.get("state") or {}).get("values") or {}
        note_input = (values.get(blocks.NOTE_BLOCK) or {}).get(blocks.NOTE_INPUT) or {}
        note = str(note_input.get("value") or "").strip()
        problem = _note_problem(note)
        if problem is not None:
            await ack(response_action="errors", errors={blocks.NOTE_BLOCK: problem})
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
            await answers.tell(
                answer_key(body), metadata.get("channel_id"), user_id, refusal(error)
            )

    @app.view(blocks.REASSIGN_VIEW)
    @guarded
    @home.refreshed
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
            await answers.tell(
                answer_key(body), metadata.get("channel_id"), user_id, refusal(error)
            )

    @app.view(blocks.REOPEN_VIEW)
    @guarded
    @home.refreshed
    async def reopen_submitted(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        values = (view.get("state") or {}).get("values") or {}
        reason_input = (values.get(blocks.REASON_BLOCK) or {}).get(blocks.REASON_INPUT) or {}
        reason = str(reason_input.get("value") or "").strip()
        problem = _text_problem(reason, "The reason", "Say why (up to 3000 characters).")
        if problem is not None:
            await ack(response_action="errors", errors={blocks.REASON_BLOCK: problem})
            return
        await ack()
        metadata = _metadata(view)
        user_id = str(body["user"]["id"])
        actor, _ = await users.actor(user_id)
        try:
            await services.handover.reopen(str(metadata.get("follow_up_id", "")), actor, reason)
        except DomainError as error:
            await answers.tell(
                answer_key(body), metadata.get("channel_id"), user_id, refusal(error)
            )


def _note_problem(note: str) -> str | None:
    """What the form should say about the note, if it cannot be taken."""
    return _text_problem(note, "The note", "Say what was done (up to 3000 characters).")


def _text_problem(text: str, what: str, missing: str) -> str | None:
    """What the form should say about a free text, if it cannot be taken."""
    if not text or len(text) > MAX_NOTE_LENGTH:
        return missing
    try:
        validation.well_formed_text(text, what, free_text=True)
    except ValidationFailed as error:
        return error.message
    return None


def _metadata(view: dict[str, Any]) -> dict[str, Any]:
    """The modal's private metadata, which we wrote; anything else reads as empty."""
    try:
        found = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}
