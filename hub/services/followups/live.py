"""A follow-up changed: the live event every hub process relays to the console's live
pages (hub/services/widget/events.py). It names the follow-up, never the person."""

from __future__ import annotations

from datetime import datetime

from beanie import PydanticObjectId
from pymongo.asynchronous.client_session import AsyncClientSession

from hub.models.event import ChangeKind, LiveEvent


async def announce_change(
    follow_up_id: PydanticObjectId | None,
    at: datetime,
    session: AsyncClientSession | None = None,
) -> None:
    """Record that the follow-up changed: in the change's transaction when `session`
    is given, else just after the change."""
    if follow_up_id is None:
        return
    live = LiveEvent(kind=ChangeKind.FOLLOW_UP, record_id=follow_up_id, at=at)
    await live.insert(session=session)
