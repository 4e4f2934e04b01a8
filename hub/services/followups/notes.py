"""Internal notes: what employees reply in the thread of a follow-up's Slack message,
kept on the follow-up for the agents who work it. Never sent to the customer."""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import UTC, datetime

from beanie import PydanticObjectId
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import DuplicateKeyError

from hub.clock import Clock
from hub.db import in_transaction
from hub.models.followup import Actor, FollowUp, FollowUpNote, PostKind
from hub.services.followups.live import announce_change
from hub.services.followups.stores import follow_up_notes

log = logging.getLogger(__name__)


def _written_at(ts: str, fallback: datetime) -> datetime:
    """A Slack message's ts is the time it was written, in seconds."""
    try:
        return datetime.fromtimestamp(float(ts), UTC)
    except (ValueError, OverflowError):
        return fallback


class NoteService:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock

    async def thread_of(self, channel_id: str, thread_ts: str) -> FollowUp | None:
        """The follow-up whose own message starts the thread. A digest's thread is
        about many follow-ups, so a reply there is nobody's note."""
        found = await FollowUp.find(
            {
                "posts": {
                    "$elemMatch": {
                        "channel_id": channel_id,
                        "ts": thread_ts,
                        "kind": {"$ne": PostKind.DIGEST.value},
                    }
                }
            }
        ).to_list()
        return found[0] if len(found) == 1 else None

    async def record_thread_reply(
        self, follow_up: FollowUp, channel_id: str, ts: str, author: Actor, text: str
    ) -> FollowUpNote | None:
        """Keep a reply in the follow-up's thread as a note, once per Slack message.
        None when the follow-up is redacted (the person's data is restricted or
        erased), the text is empty, or the message was kept already."""
        body = text.strip()
        if not body or follow_up.id is None or follow_up.redacted:
            return None
        note = FollowUpNote(
            follow_up_id=follow_up.id,
            subject_id=follow_up.subject_id,
            author=author,
            text=body,
            channel_id=channel_id,
            ts=ts,
            written_at=_written_at(ts, self.clock.now()),
        )
        follow_up_id = follow_up.id

        async def work(session: AsyncClientSession) -> None:
            # The note and its live event commit together: a reply is never kept
            # without the console being told, nor told of without being kept.
            await note.insert(session=session)
            await announce_change(follow_up_id, self.clock.now(), session)

        try:
            await in_transaction(follow_up_notes.STORE.client(), work)
        except DuplicateKeyError:
            return None
        log.info("kept a thread reply as a note on follow-up %s", follow_up.id)
        return note

    async def notes_in_order(
        self, follow_up_ids: list[PydanticObjectId]
    ) -> list[list[FollowUpNote]]:
        """The notes of each follow-up, oldest first, for a DataLoader: one query."""
        found: dict[PydanticObjectId, list[FollowUpNote]] = defaultdict(list)
        async for raw in follow_up_notes.of_follow_ups(list(follow_up_ids)):
            note = FollowUpNote.model_validate(raw)
            found[note.follow_up_id].append(note)
        return [found.get(follow_up_id, []) for follow_up_id in follow_up_ids]
