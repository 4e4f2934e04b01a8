"""The erasure ledger: a restored backup does not bring erased people back.

The restore is simulated the way it happens: every collection is put back as it was
before the erasure (the ledger collection and the suppression list included), while
the ledger file in the data folder, kept outside database backups, stays."""

from __future__ import annotations

import json
import stat
from typing import Any

import pytest
from starlette.applications import Starlette

from hub.clock import FrozenClock
from hub.db import Database
from hub.models.common import Channel
from hub.models.ledger import ErasureLedgerEntry
from hub.models.privacy import RightsRequestType
from hub.models.suppression import Suppression, SuppressionReason
from hub.server.app import create_app
from hub.services import Services
from hub.services.widget.throttling import Rule
from hub.settings import Settings
from tests.support.erasure import A_TRACES, A, B, _erase, _everything, _given_a_and_b, _traces
from tests.support.slack import FakeSlack

Snapshot = dict[str, list[dict[str, Any]]]


async def _restore(database: Database, snapshot: Snapshot) -> None:
    """Put the database back as the snapshot had it, as a restore of a backup does."""
    for name in await database.list_collection_names():
        await database[name].delete_many({})
    for name, documents in snapshot.items():
        if documents:
            await database[name].insert_many(documents)


def _without_history(everything: Snapshot) -> Snapshot:
    return {
        name: docs
        for name, docs in everything.items()
        if name not in ("audit_log", "audit_head", "live_events")
    }


async def _suppressed(services: Services) -> bool:
    survey = await services.surveys.get("nps-main")
    eligibility = await services.throttling.check(survey, A.id, Channel.IN_APP_WEB)
    return eligibility.reason is Rule.SUPPRESSED


async def test_erasure_is_recorded_as_keyed_hashes_in_file_and_database(
    hub_services: Services, clock: FrozenClock, slack: FakeSlack, slack_settings: Settings
) -> None:
    services = hub_services
    await _given_a_and_b(services, clock, slack)

    await _erase(services, RightsRequestType.ERASURE, A.email or "")

    path = slack_settings.resolved_erasure_ledger_path()
    lines = path.read_text().splitlines()
    assert len(lines) == 1
    entry = json.loads(lines[0])
    assert entry["reason"] == "ERASURE" and entry["erase"] is True
    assert sorted(entry["hmacs"]) == sorted(
        [*services.suppressions.hmacs(user_id=A.id), *services.suppressions.hmacs(email=A.email)]
    )
    assert _traces(path.read_text(), A_TRACES) == []
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    stored = await ErasureLedgerEntry.find_all().to_list()
    assert [document.entry_id for document in stored] == [entry["id"]]

    # A second erasure of the same person (other spelling) records nothing new
    await _erase(services, RightsRequestType.ERASURE, (A.email or "").upper(), allow_no_match=True)
    assert len(path.read_text().splitlines()) == 1
    assert await ErasureLedgerEntry.count() == 1


async def test_reapply_after_a_restore_erases_again_and_twice_is_once(
    hub_services: Services, clock: FrozenClock, slack: FakeSlack, database: Database
) -> None:
    services = hub_services
    await _given_a_and_b(services, clock, slack)
    backup = await _everything(database)
    await _erase(services, RightsRequestType.OBJECTION, A.email or "")
    await services.dispatcher.run_once()
    erased = _without_history(await _everything(database))

    # When the backup taken before the objection is restored, A is back
    await _restore(database, backup)
    assert _traces(await _everything(database), A_TRACES)
    assert not await _suppressed(services)
    assert await ErasureLedgerEntry.count() == 0

    # Then reapplying the ledger erases A again, suppresses A and restores the ledger
    report = await services.ledger_reapply().run()
    await services.dispatcher.run_once()

    after = await _everything(database)
    assert _traces(after, A_TRACES) == [], [
        (name, doc) for name, docs in after.items() for doc in docs if _traces(doc, A_TRACES)
    ]
    assert await _suppressed(services)
    reasons = {s.reason for s in await Suppression.find_all().to_list()}
    assert reasons == {SuppressionReason.OBJECTION}
    assert report.people_erased_again == 1
    assert report.suppressions_restored == 2
    assert report.ledger_entries_restored_to_database == 1
    assert report.erased["responses"] == 1 and report.erased["displays"] == 1
    assert report.erased["responses (quotes redacted)"] == 1
    assert report.documents_changed > 0
    # B is kept, with A's quote redacted again
    b_comments = [doc["comment"] for doc in after["responses"] if doc["user"]["id"] == B.id]
    assert len(b_comments) == 1 and "anna.lund" not in b_comments[0]
    assert (await services.audit.verify()).ok
    # The same documents as right after the objection, apart from its own history
    assert {name for name, docs in _without_history(after).items() if docs} >= {
        name for name, docs in erased.items() if docs and name != "rights_requests"
    }

    # When it runs again, nothing changes
    again = await services.ledger_reapply().run()
    assert not again.changed, again.as_dict()
    assert await _everything(database) == after


async def test_reapply_puts_back_suppressions_of_people_with_no_data_left(
    hub_services: Services, clock: FrozenClock, slack: FakeSlack, database: Database
) -> None:
    services = hub_services
    await _given_a_and_b(services, clock, slack)
    await _erase(services, RightsRequestType.ERASURE, A.email or "")
    # The suppression list is lost (say, restored from an older dump), A's data is not back
    await Suppression.get_pymongo_collection().delete_many({})

    report = await services.ledger_reapply().run()

    assert report.suppressions_restored == 2 and report.people_erased_again == 0
    assert await _suppressed(services)


@pytest.mark.slow
async def test_the_hub_reapplies_the_ledger_when_it_starts_on_a_restored_database(
    slack_settings: Settings, clock: FrozenClock, slack: FakeSlack, database: Database
) -> None:
    first = create_app(slack_settings, clock)
    async with first.router.lifespan_context(first):
        services: Services = first.state.services
        await _given_a_and_b(services, clock, slack)
        backup = await _everything(database)
        await _erase(services, RightsRequestType.ERASURE, A.email or "")

    await _restore(database, backup)
    assert _traces(await _everything(database), A_TRACES)

    second: Starlette = create_app(slack_settings, clock)
    async with second.router.lifespan_context(second):
        assert _traces(await _everything(database), A_TRACES) == []
        assert await _suppressed(second.state.services)
        state = await second.state.services.erasure_ledger.state()
        assert state.in_step


async def test_a_start_without_a_restore_changes_nothing(
    slack_settings: Settings, clock: FrozenClock, slack: FakeSlack, database: Database
) -> None:
    first = create_app(slack_settings, clock)
    async with first.router.lifespan_context(first):
        services: Services = first.state.services
        await _given_a_and_b(services, clock, slack)
        await _erase(services, RightsRequestType.ERASURE, A.email or "")
    before = await _everything(database)

    second = create_app(slack_settings, clock)
    async with second.router.lifespan_context(second):
        pass

    after = await _everything(database)
    assert _without_history(after) == _without_history(before)
    assert after["audit_log"] == before["audit_log"]
