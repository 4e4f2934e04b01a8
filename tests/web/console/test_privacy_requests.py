"""The privacy desk's request page: a privacy officer confirms identities, executes,
extends and creates the export link through the console; every refusal of the API is
shown with its status and changes nothing."""

from __future__ import annotations

import html
import json
import logging
import re
from datetime import date

import httpx
import pytest

from hub.models.common import Role
from hub.models.privacy import RightsRequestStatus, RightsRequestType
from hub.services import Services
from hub.services.privacy.rights import NewRequest
from tests.support.console import ConsoleClient, text_of
from tests.support.console_privacy import (
    ANNA,
    BJORN,
    answered,
    given_a_survey,
    officer_request,
    public_request,
    signed_in,
)

OUTCOME_ROW = re.compile(r'<th scope="row">([a-z_]+)</th><td class="privacy-number">(\d+)</td>')
EXPORT_LINK = re.compile(r'href="(http://hub\.test/exports/[^"]+)"')


@pytest.fixture
def slack_sign_in() -> bool:
    return False


def request_path(request_id: str) -> str:
    return f"/console/privacy/requests/{request_id}"


async def test_an_officer_answers_an_access_request_end_to_end(
    console: ConsoleClient, services: Services, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    # Given Anna and Björn answered, and Anna asked for her data through the public
    # form with her address (verified by the link) and her user id (only claimed)
    await given_a_survey(services)
    await answered(services, ANNA, "Invoices load slowly")
    await answered(services, BJORN, "Fine by me")
    request_id = await public_request(services, RightsRequestType.ACCESS, ANNA.email or "", ANNA.id)
    officer = await signed_in(console, services, Role.PRIVACY_OFFICER)

    # When the officer opens the request
    page = text_of(await officer.open(request_path(request_id)))

    # Then the verified address is reached and the claimed user id waits
    reached, waiting = page.split("Waiting for confirmation", 1)
    assert "E-mail: anna.lund@example.org Verified by the person" in reached
    assert "User id: anna-4711" in waiting
    assert "Claimed, not proven" in waiting

    # When they confirm the user id, execute, and create the export link
    confirmed = await officer.post(
        request_path(request_id) + "/confirm",
        {"kind": "USER_ID", "value": ANNA.id, "reason": "Confirmed by phone."},
    )
    assert confirmed.status_code == 303
    assert confirmed.headers["location"] == request_path(request_id) + "?notice=confirmed"
    page = text_of(await officer.open(confirmed.headers["location"]))
    assert "User id: anna-4711 Confirmed by an officer" in page.split("Waiting for", 1)[0]

    executed = await officer.post(request_path(request_id) + "/execute", {})
    assert executed.status_code == 303
    assert "anna" not in executed.headers["location"]
    page = await officer.open(executed.headers["location"])
    assert "What executing it did" in text_of(page)
    assert "responses" in text_of(page.split("What executing it did", 1)[1])

    linked = await officer.post(request_path(request_id) + "/export-link", {"format": "json"})
    assert linked.status_code == 200
    assert "Your download link" in text_of(linked.text)
    found = EXPORT_LINK.search(linked.text)
    assert found, text_of(linked.text)
    url = httpx.URL(html.unescape(found.group(1)))

    # Then the link downloads Anna's data once, and none of Björn's
    download = await officer.http.get(url.path)
    assert download.status_code == 200
    export = json.dumps(download.json(), ensure_ascii=False)
    assert "Invoices load slowly" in export and "Fine by me" not in export
    assert (await officer.http.get(url.path)).status_code != 200
    assert (await services.rights.get(request_id)).status is RightsRequestStatus.COMPLETED
    # and no address the console used (httpx logs each one), nor the hub's log, named Anna
    ours = [r.getMessage() for r in caplog.records if r.name.startswith(("hub", "httpx"))]
    assert any("/console/privacy/requests/" in line for line in ours)
    assert not [line for line in ours if (ANNA.email or "-") in line or ANNA.id in line]


async def test_an_erasure_shows_what_it_did_in_each_collection(
    console: ConsoleClient, services: Services
) -> None:
    await given_a_survey(services)
    await answered(services, BJORN, "Please forget me")
    request_id = await officer_request(services, RightsRequestType.ERASURE, BJORN.email or "")
    officer = await signed_in(console, services, Role.PRIVACY_OFFICER)
    await officer.open(request_path(request_id))

    executed = await officer.post(request_path(request_id) + "/execute", {})
    page = await officer.open(executed.headers["location"])

    report = page.split("What executing it did", 1)[1].split("</table>", 1)[0]
    rows = re.findall(OUTCOME_ROW, report)
    assert ("responses", "1") in rows, rows
    assert "The request was executed." in text_of(page)
    assert "Completed" in text_of(page)
    assert "Please forget me" not in page


async def test_an_extension_needs_a_reason_and_comes_once(
    console: ConsoleClient, services: Services
) -> None:
    request_id = await officer_request(services, RightsRequestType.ACCESS, "c@example.com")
    before = await services.rights.get(request_id)
    officer = await signed_in(console, services, Role.PRIVACY_OFFICER)
    await officer.open(request_path(request_id))

    no_reason = await officer.post(
        request_path(request_id) + "/extend", {"months": "2", "reason": "  "}
    )
    bad_months = await officer.post(
        request_path(request_id) + "/extend", {"months": "7", "reason": "Many systems."}
    )

    assert no_reason.status_code == 400
    assert "Nothing was changed." in text_of(no_reason.text)
    assert bad_months.status_code == 400
    unchanged = await services.rights.get(request_id)
    assert (unchanged.due_on, unchanged.extended) == (before.due_on, False)

    extended = await officer.post(
        request_path(request_id) + "/extend", {"months": "1", "reason": "Many systems."}
    )
    assert extended.status_code == 303
    again = await officer.post(
        request_path(request_id) + "/extend", {"months": "1", "reason": "More."}
    )
    assert again.status_code == 409
    assert "ALREADY_EXTENDED" in text_of(again.text)
    after = await services.rights.get(request_id)
    assert after.extended and after.due_on > before.due_on
    assert after.extension_reason == "Many systems."


async def test_refusals_are_shown_with_their_status_and_change_nothing(
    console: ConsoleClient, services: Services
) -> None:
    # A request whose address no record carries
    request_id = await officer_request(services, RightsRequestType.ERASURE, "nobody@example.com")
    officer = await signed_in(console, services, Role.PRIVACY_OFFICER)
    await officer.open(request_path(request_id))

    no_match = await officer.post(request_path(request_id) + "/execute", {})
    stranger = await officer.post(
        request_path(request_id) + "/confirm",
        {"kind": "USER_ID", "value": "someone-else", "reason": "Sure."},
    )
    no_kind = await officer.post(
        request_path(request_id) + "/confirm", {"kind": "NAME", "value": "x", "reason": "Sure."}
    )
    early_link = await officer.post(request_path(request_id) + "/export-link", {"format": "json"})

    assert no_match.status_code == 409 and "NO_MATCHING_RECORDS" in no_match.text
    assert stranger.status_code == 409 and "IDENTITY_NOT_LINKED" in stranger.text
    assert no_kind.status_code == 400
    assert early_link.status_code in (400, 409)
    assert (await services.rights.get(request_id)).status is RightsRequestStatus.VERIFIED

    # Going on deliberately executes it; a second execution is refused
    done = await officer.post(request_path(request_id) + "/execute", {"allow_no_match": "yes"})
    assert done.status_code == 303
    twice = await officer.post(request_path(request_id) + "/execute", {"allow_no_match": "yes"})
    assert twice.status_code == 409
    assert "Nothing was changed." in text_of(twice.text)


async def test_an_unknown_request_is_not_found(console: ConsoleClient, services: Services) -> None:
    officer = await signed_in(console, services, Role.PRIVACY_OFFICER)
    missing = await officer.get(request_path("0123456789abcdef01234567"))
    malformed = await officer.get(request_path("not-an-id"))
    await officer.open("/console/privacy")
    forged = await officer.post(request_path("0123456789abcdef01234567") + "/execute", {})

    assert missing.status_code == 404
    assert "There is no such rights request." in text_of(missing.text)
    assert malformed.status_code == 404
    assert forged.status_code == 404


async def test_a_restriction_is_lifted_only_after_the_person_was_told(
    console: ConsoleClient, services: Services
) -> None:
    await given_a_survey(services)
    await answered(services, ANNA, "Hold on")
    request_id = await officer_request(services, RightsRequestType.RESTRICTION, ANNA.email or "")
    officer = await signed_in(console, services, Role.PRIVACY_OFFICER)
    await officer.open(request_path(request_id))
    await officer.post(request_path(request_id) + "/execute", {})
    await officer.open(request_path(request_id))

    too_early = await officer.post(request_path(request_id) + "/lift", {})
    sent = await officer.post(request_path(request_id) + "/notify-lift", {})
    told = await officer.post(request_path(request_id) + "/notified", {})
    lifted = await officer.post(request_path(request_id) + "/lift", {})

    assert too_early.status_code == 409
    assert sent.headers["location"].endswith("notice=notice_sent")
    assert told.headers["location"].endswith("notice=notified")
    assert lifted.headers["location"].endswith("notice=lifted")
    page = text_of(await officer.open(request_path(request_id)))
    assert "Notice of lifting the restriction" in page
    assert not (await services.rights.get(request_id)).restriction_active
    assert isinstance((await services.rights.get(request_id)).due_on, date)


async def test_an_officer_verifies_or_rejects_a_request_by_hand(
    console: ConsoleClient, services: Services
) -> None:
    filed = await services.rights_verification.submit(
        NewRequest(type=RightsRequestType.ERASURE, email="unproven@example.com")
    )
    request_id = str(filed.id)
    officer = await signed_in(console, services, Role.PRIVACY_OFFICER)
    page = text_of(await officer.open(request_path(request_id)))
    assert "Received (not verified)" in page

    no_reason = await officer.post(request_path(request_id) + "/status", {"status": "REJECTED"})
    unknown = await officer.post(request_path(request_id) + "/status", {"status": "COMPLETED"})
    too_far = await officer.post(request_path(request_id) + "/status", {"status": "IN_PROGRESS"})
    assert no_reason.status_code == 400
    assert unknown.status_code == 400
    assert too_far.status_code == 409
    assert (await services.rights.get(request_id)).status is RightsRequestStatus.RECEIVED

    verified = await officer.post(request_path(request_id) + "/status", {"status": "VERIFIED"})
    assert verified.headers["location"].endswith("notice=moved")
    assert (await services.rights.get(request_id)).status is RightsRequestStatus.VERIFIED
