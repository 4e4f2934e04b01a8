"""The thread under a follow-up's Slack message is its history: every change of
hands is announced there as a reply (through the outbox, once per change), and what
employees reply there is kept as internal notes."""

from __future__ import annotations

from typing import Any

from pymongo.asynchronous.client_session import AsyncClientSession

from hub.models.followup import Actor, FollowUp, FollowUpAction, PostKind, SlackPost
from hub.services.platform.outbox import OutboxService

THREAD = "slack.thread"


def announcement_key(follow_up: FollowUp) -> str:
    """One announcement per change: every change gives the follow-up a new version."""
    return f"{THREAD}:{follow_up.id}:{follow_up.version}"


async def announce(
    outbox: OutboxService,
    follow_up: FollowUp,
    action: FollowUpAction,
    by: Actor,
    to: Actor | None = None,
    session: AsyncClientSession | None = None,
) -> None:
    """Queue the thread reply that tells the channel what `by` did to the follow-up,
    as it is after the change. The reply names people and the action, never the
    customer or free text, so it needs no redaction later."""
    if not follow_up.channels:
        return
    payload: dict[str, Any] = {
        "follow_up_id": str(follow_up.id),
        "action": action.value,
        "by": by.model_dump(),
    }
    if to is not None:
        payload["to"] = to.model_dump()
    if action is FollowUpAction.RESOLVED and follow_up.resolution is not None:
        payload["customer_informed"] = follow_up.resolution.customer_informed
    # No subject: the payload names staff, not the person (so it is no part of their
    # access export); erasure and restriction stop it all the same, by redacting the
    # follow-up, whose announcements are then skipped.
    await outbox.enqueue(
        THREAD, announcement_key(follow_up), follow_up.channels[0], payload, session=session
    )


def thread_root(follow_up: FollowUp, channel_id: str) -> SlackPost | None:
    """The message in `channel_id` whose thread holds the follow-up's history: its own
    message, or else the digest it is a line of."""
    posts = [post for post in follow_up.posts if post.channel_id == channel_id]
    own = [post for post in posts if post.kind is not PostKind.DIGEST]
    found = own or posts
    return found[0] if found else None
