"""The privacy desk's audit log and retention: every action of the desk in the log
under the signed-in officer's name, the chain's check, and retention's dry run and
(for admins, confirmed) real run."""

from __future__ import annotations

from datetime import timedelta

from hub.clock import FrozenClock
from hub.models.common import Role
from hub.models.privacy import AuditEntry, RightsRequestType
from hub.services import Services
from tests.support.console import ConsoleClient, text_of
from tests.support.console_privacy import (
    ANNA,
    answered,
    given_a_survey,
    officer_request,
    signed_in_with_slack,
)
from tests.support.slack import FakeSlack


async def test_the_log_names_the_slack_officer_and_the_chain_is_checked(
    console: ConsoleClient, services: Services, slack: FakeSlack
) -> None:
    # Given a request, and an officer signed in with Slack extends it
    request_id = await officer_request(services, RightsRequestType.ACCESS, "x@example.com")
    officer = await signed_in_with_slack(console, services, slack, "Pia Privacy")
    await officer.open(f"/console/privacy/requests/{request_id}")
    extended = await officer.post(
        f"/console/privacy/requests/{request_id}/extend",
        {"months": "1", "reason": "Many systems to search."},
    )
    assert extended.status_code == 303

    # When they open the audit log and verify the chain
    page = await officer.open("/console/privacy/audit")
    verified = await officer.open("/console/privacy/audit?verify=1")

    # Then the extension is there under their Slack name, and the chain holds
    newest = text_of(page.split("<tbody>", 1)[1].split("</tr>", 1)[0])
    assert "rights_request.extended" in newest
    assert "Pia Privacy (privacy officer)" in newest
    assert f'href="/console/privacy/requests/{request_id}"' in page
    assert "x@example.com" not in page
    assert "Intact. The hash chain holds over all 2 entries." in text_of(verified)
    assert "Intact." not in text_of(page)


async def test_a_changed_entry_shows_where_the_chain_breaks(
    console: ConsoleClient, services: Services, slack: FakeSlack
) -> None:
    for n in range(3):
        await officer_request(services, RightsRequestType.ACCESS, f"p{n}@example.com")
    await AuditEntry.get_pymongo_collection().update_one(
        {"seq": 2}, {"$set": {"details": {"n": 99}}}
    )
    officer = await signed_in_with_slack(console, services, slack, "Pia Privacy")

    page = text_of(await officer.open("/console/privacy/audit?verify=1"))

    assert "Broken. The chain breaks at entry 2" in page
    assert "Intact." not in page


async def test_the_audit_log_pages_and_refuses_a_bad_cursor(
    console: ConsoleClient, services: Services, slack: FakeSlack
) -> None:
    officer = await signed_in_with_slack(console, services, slack, "Pia Privacy")
    bad_cursor = await officer.get("/console/privacy/audit?after=bogus")
    bad_action = await officer.get("/console/privacy/audit?verify=yes")
    assert bad_cursor.status_code == 400
    assert bad_action.status_code == 400


async def test_a_dry_run_counts_and_changes_nothing(
    console: ConsoleClient, services: Services, clock: FrozenClock, slack: FakeSlack
) -> None:
    # Given an answer older than the retention period
    await given_a_survey(services)
    await answered(services, ANNA, "An old comment")
    clock.advance(timedelta(days=3 * 366 + 2))
    officer = await signed_in_with_slack(console, services, slack, "Pia Privacy")
    await officer.open("/console/privacy/retention")

    dry = await officer.post("/console/privacy/retention/dry-run", {})

    assert dry.status_code == 200
    text = text_of(dry.text)
    assert "Dry run: what a run would change now" in text
    assert "Responses anonymised 1" in text
    still = await officer.open("/console/privacy/retention")
    assert "Dry run" in text_of(still.split("Runs so far", 1)[1])
    assert (await services.retention.totals()).runs == 0


async def test_an_admin_runs_retention_after_confirming(
    console: ConsoleClient, services: Services, clock: FrozenClock, slack: FakeSlack
) -> None:
    await given_a_survey(services)
    await answered(services, ANNA, "An old comment")
    clock.advance(timedelta(days=3 * 366 + 2))
    admin = await signed_in_with_slack(console, services, slack, "Ada Admin", Role.ADMIN)
    page = await admin.open("/console/privacy/retention")
    assert "Run retention now" in page

    unconfirmed = await admin.post("/console/privacy/retention/run", {})
    assert unconfirmed.status_code == 400
    assert (await services.retention.totals()).runs == 0

    ran = await admin.post("/console/privacy/retention/run", {"confirm": "yes"})
    assert ran.status_code == 200
    assert "Retention ran: what it changed" in text_of(ran.text)
    assert "Responses anonymised 1" in text_of(ran.text)
    assert (await services.retention.totals()).runs == 1
