"""The Resolve modal's submission."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bots.slack import blocks
from bots.slack.actions import refusal
from bots.slack.calls import guarded
from bots.slack.direct import PrivateAnswers, answer_key
from bots.slack.users import SlackUsers
from hub.errors import DomainError, ValidationFailed
from hub.services import Services
from hub.services.followups.followups import MAX_NOTE_LENGTH
from hub.services.platform import validation


def register(app: AsyncApp, services: Services, users: SlackUsers) -> None:
    answers = PrivateAnswers(services, users.client)

    @app.view(blocks.RESOLVE_VIEW)
    @guarded
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


def _note_problem(note: str) -> str | None:
    """What the form should say about the note, if it cannot be taken."""
    if not note or len(note) > MAX_NOTE_LENGTH:
        return "Say what was done (up to 3000 characters)."
    try:
        validation.well_formed_text(note, "The note", free_text=True)
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
