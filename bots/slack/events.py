"""Events API listeners: replies in the threads of follow-up messages become the
follow-ups' internal notes."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp

from bots.slack.calls import guarded
from bots.slack.users import SlackUsers
from hub.services import Services

# A reply that is also sent to the channel is still a reply in the thread; every
# other subtype (edits, deletions, joins, bot and system messages) is not a note.
NOTE_SUBTYPES = frozenset({None, "thread_broadcast"})


def thread_reply(event: dict[str, Any]) -> tuple[str, str, str, str, str] | None:
    """Channel, thread, message ts, author and text of a person's reply in a thread;
    None for anything else."""
    channel, thread_ts, ts = event.get("channel"), event.get("thread_ts"), event.get("ts")
    user, text = event.get("user"), event.get("text")
    if event.get("subtype") not in NOTE_SUBTYPES or event.get("bot_id"):
        return None
    fields = (channel, thread_ts, ts, user, text)
    if not all(isinstance(value, str) and value for value in fields) or ts == thread_ts:
        return None
    return str(channel), str(thread_ts), str(ts), str(user), str(text)


def register(app: AsyncApp, services: Services, users: SlackUsers) -> None:
    @app.event("message")
    @guarded
    async def message(event: dict[str, Any]) -> None:
        reply = thread_reply(event)
        if reply is None:
            return
        channel, thread_ts, ts, user, text = reply
        follow_up = await services.notes.thread_of(channel, thread_ts)
        if follow_up is None:
            return  # a thread that is not about a follow-up
        actor, _ = await users.actor(user)
        await services.notes.record_thread_reply(follow_up, channel, ts, actor, text)
