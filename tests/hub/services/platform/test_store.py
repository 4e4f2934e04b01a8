"""`CollectionStore.update_then_read`, the update-and-read that stands in for a
findAndModify: it answers what findAndModify would (the document after, or None), and
only for one document named by `_id` inside a transaction, where nothing can come
between its two commands."""

from __future__ import annotations

import pytest
from pymongo.asynchronous.client_session import AsyncClientSession

from hub.db import in_transaction
from hub.models.followup import FollowUp, FollowUpStatus
from hub.services import Services
from hub.services.followups.stores import follow_ups
from tests.support.widget import Widget, follow_up_of


async def test_it_answers_the_document_after_or_none(services: Services) -> None:
    await services.routing.set_defaults("CROUTED", None)
    follow_up = await follow_up_of(await Widget(services).answer(3, "Slow"))
    store = follow_ups.STORE

    async def claim(session: AsyncClientSession) -> object:
        return await store.update_then_read(
            {"_id": follow_up.id, "status": FollowUpStatus.OPEN.value},
            {"$set": {"status": FollowUpStatus.CLAIMED.value}, "$inc": {"version": 1}},
            session,
        )

    after = await in_transaction(store.client(), claim)
    assert isinstance(after, dict)
    assert (after["status"], after["version"]) == ("CLAIMED", follow_up.version + 1)
    assert await in_transaction(store.client(), claim) is None  # no longer open
    stored = await FollowUp.get(follow_up.id)
    assert stored is not None and stored.version == follow_up.version + 1


async def test_it_refuses_a_query_without_id_or_a_write_outside_a_transaction(
    services: Services,
) -> None:
    store = follow_ups.STORE

    async def by_status(session: AsyncClientSession) -> object:
        return await store.update_then_read({"status": "OPEN"}, {"$set": {"x": 1}}, session)

    with pytest.raises(ValueError, match="_id"):
        await in_transaction(store.client(), by_status)
    async with store.client().start_session() as session:
        with pytest.raises(ValueError, match="transaction"):
            await store.update_then_read({"_id": 1}, {"$set": {"x": 1}}, session)
