"""The audit log is a hash chain: a changed, removed or inserted entry is found."""

from __future__ import annotations

from datetime import timedelta

from hub.clock import FrozenClock
from hub.models.privacy import AuditActor, AuditEntry, AuditHead
from hub.services import Services

OFFICER = AuditActor(key_id="k1", role="privacy_officer", label="officer")


async def _three_entries(services: Services, clock: FrozenClock) -> None:
    for number in range(3):
        await services.audit.record(
            OFFICER, "rights_request.filed", [f"req{number}"], ["hmac"], {"n": number}
        )
        clock.advance(timedelta(minutes=1))


async def test_an_untouched_log_verifies(services: Services, clock: FrozenClock) -> None:
    assert (await services.audit.verify()).ok
    await _three_entries(services, clock)

    result = await services.audit.verify()

    assert result.ok and result.entries == 3
    entries = await services.audit.entries()
    assert [entry.seq for entry in entries] == [3, 2, 1]
    assert entries[0].previous_hash == entries[1].hash


async def test_a_changed_entry_is_the_first_broken_link(
    services: Services, clock: FrozenClock
) -> None:
    await _three_entries(services, clock)
    await AuditEntry.get_pymongo_collection().update_one(
        {"seq": 2}, {"$set": {"details": {"n": 99}}}
    )

    result = await services.audit.verify()

    assert not result.ok and result.first_broken_seq == 2


async def test_a_rehashed_change_breaks_the_next_link(
    services: Services, clock: FrozenClock
) -> None:
    await _three_entries(services, clock)
    # Someone without the server secret cannot recompute the entry's keyed hash.
    await AuditEntry.get_pymongo_collection().update_one(
        {"seq": 1}, {"$set": {"action": "other", "hash": "f" * 64}}
    )

    result = await services.audit.verify()

    assert not result.ok and result.first_broken_seq == 1


async def test_a_removed_entry_is_detected(services: Services, clock: FrozenClock) -> None:
    await _three_entries(services, clock)
    await AuditEntry.get_pymongo_collection().delete_one({"seq": 2})

    result = await services.audit.verify()

    assert not result.ok and result.first_broken_seq == 2


async def test_removing_the_newest_entry_is_detected(
    services: Services, clock: FrozenClock
) -> None:
    await _three_entries(services, clock)
    await AuditEntry.get_pymongo_collection().delete_one({"seq": 3})

    result = await services.audit.verify()

    assert not result.ok and result.first_broken_seq == 3
    assert (await AuditHead.find_one()) is not None


async def test_concurrent_appends_keep_one_chain(services: Services) -> None:
    import asyncio

    await asyncio.gather(*(services.audit.record(OFFICER, "x", [str(n)]) for n in range(8)))

    result = await services.audit.verify()

    assert result.ok and result.entries == 8
