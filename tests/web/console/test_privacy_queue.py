"""The privacy desk's queue and who may use the desk: open requests soonest due first,
overdue ones first and marked in words, filters and pages in the address; every
other role, a CSRF-less post and an expired session are turned away."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hub.clock import FrozenClock
from hub.models.common import Role
from hub.models.privacy import RightsRequestStatus, RightsRequestType
from hub.services import Services
from hub.services.privacy.audit import SYSTEM
from hub.web.console import privacy_queue
from tests.support.console import ConsoleClient, text_of
from tests.support.console_privacy import officer_request, requests_listed, signed_in

DESK_PAGES = (
    "/console/privacy",
    "/console/privacy?status=all",
    "/console/privacy/audit",
    "/console/privacy/audit?verify=1",
    "/console/privacy/retention",
)
ACTIONS = (
    "confirm",
    "execute",
    "extend",
    "status",
    "notify-lift",
    "notified",
    "lift",
    "export-link",
)


@pytest.fixture
def slack_sign_in() -> bool:
    return False


async def test_overdue_requests_come_first_and_say_so(
    console: ConsoleClient, services: Services, clock: FrozenClock
) -> None:
    # Given one request filed in January, one in February, one closed
    clock.set(datetime(2026, 1, 5, 9, tzinfo=UTC))
    late = await officer_request(services, RightsRequestType.ERASURE, "late@example.com")
    closed = await officer_request(services, RightsRequestType.ACCESS, "closed@example.com")
    await services.rights.transition(closed, RightsRequestStatus.REJECTED, "Not ours.", SYSTEM)
    clock.set(datetime(2026, 2, 1, 9, tzinfo=UTC))
    fresh = await officer_request(services, RightsRequestType.ACCESS, "fresh@example.com")
    # When the officer opens the queue after the first one's due date
    clock.set(datetime(2026, 2, 10, 9, tzinfo=UTC))
    officer = await signed_in(console, services, Role.PRIVACY_OFFICER)
    page = await officer.open("/console/privacy")

    # Then the open ones are listed, the overdue one first and marked in words
    assert requests_listed(page) == [late, fresh]
    text = text_of(page)
    assert "2026-02-05 Overdue by 5 days" in text
    assert "2026-03-01 19 days left" in text
    assert 'class="privacy-overdue"' in page
    assert "late@example.com" not in page  # the queue names no one

    overdue_only = await officer.open("/console/privacy?status=overdue")
    everything = await officer.open("/console/privacy?status=all")
    rejected = await officer.open("/console/privacy?status=REJECTED")
    access = await officer.open("/console/privacy?type=ACCESS")
    assert requests_listed(overdue_only) == [late]
    assert sorted(requests_listed(everything)) == sorted([late, closed, fresh])
    assert requests_listed(rejected) == [closed]
    assert requests_listed(access) == [fresh]
    assert 'value="ACCESS" selected' in access


async def test_the_queue_pages_through_requests(
    console: ConsoleClient, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(privacy_queue, "PAGE_SIZE", 2)
    filed = [
        await officer_request(services, RightsRequestType.ACCESS, f"p{n}@example.com")
        for n in range(3)
    ]
    officer = await signed_in(console, services, Role.PRIVACY_OFFICER)

    first = await officer.open("/console/privacy?type=ACCESS")
    next_link = first.split('rel="next"', 1)[0].rsplit('href="', 1)[1].split('"', 1)[0]
    second = await officer.open(next_link.replace("&amp;", "&"))

    assert requests_listed(first) + requests_listed(second) == filed
    assert "type=ACCESS" in next_link
    assert 'rel="next"' not in second
    assert "First page" in text_of(second)


@pytest.mark.parametrize(
    "query",
    ["status=SOON", "type=DELETE", "after=not-a-cursor", "status=open&type=access"],
)
async def test_a_malformed_filter_is_a_clear_400(
    console: ConsoleClient, services: Services, query: str
) -> None:
    officer = await signed_in(console, services, Role.PRIVACY_OFFICER)

    answer = await officer.get(f"/console/privacy?{query}")

    assert answer.status_code == 400
    assert "This request is not valid" in text_of(answer.text)


@pytest.mark.parametrize("role", [Role.VIEWER, Role.AGENT])
async def test_other_roles_are_turned_away_from_every_page_and_action(
    console: ConsoleClient, services: Services, role: Role
) -> None:
    request_id = await officer_request(services, RightsRequestType.ERASURE, "x@example.com")
    visitor = await signed_in(console, services, role)

    for path in (*DESK_PAGES, f"/console/privacy/requests/{request_id}"):
        answer = await visitor.get(path)
        assert answer.status_code == 403, path
        assert "Not for your role" in text_of(answer.text)
    assert "/console/privacy" not in (await visitor.get("/console/privacy")).text.split("<main")[0]

    posts = [f"/console/privacy/requests/{request_id}/{action}" for action in ACTIONS]
    for path in (*posts, "/console/privacy/retention/dry-run", "/console/privacy/retention/run"):
        forged = await visitor.post(
            path,
            {
                "kind": "EMAIL",
                "value": "x@example.com",
                "reason": "r",
                "months": "1",
                "status": "CANCELED",
            },
        )
        assert forged.status_code == 403, path
    after = await services.rights.get(request_id)
    assert after.status is RightsRequestStatus.VERIFIED and not after.extended
    assert after.identity_confirmations == []


async def test_a_privacy_officer_may_not_run_retention_for_real(
    console: ConsoleClient, services: Services
) -> None:
    officer = await signed_in(console, services, Role.PRIVACY_OFFICER)
    page = await officer.open("/console/privacy/retention")

    forged = await officer.post("/console/privacy/retention/run", {"confirm": "yes"})

    assert "Run retention now" not in page
    assert forged.status_code == 403


async def test_a_post_without_its_token_or_session_changes_nothing(
    console: ConsoleClient, services: Services, clock: FrozenClock
) -> None:
    request_id = await officer_request(services, RightsRequestType.ERASURE, "x@example.com")
    officer = await signed_in(console, services, Role.PRIVACY_OFFICER)
    await officer.open(f"/console/privacy/requests/{request_id}")
    execute = f"/console/privacy/requests/{request_id}/execute"

    without_token = await officer.post(execute, {"allow_no_match": "yes"}, csrf="")
    wrong_token = await officer.post(execute, {"allow_no_match": "yes"}, csrf="forged")
    clock.advance(timedelta(hours=13))
    expired = await officer.post(execute, {"allow_no_match": "yes"})
    expired_page = await officer.get(f"/console/privacy/requests/{request_id}")

    assert without_token.status_code == 403 and wrong_token.status_code == 403
    assert "Nothing was changed" in text_of(without_token.text)
    assert expired.status_code == 401
    assert expired_page.status_code == 303
    assert request_id not in expired_page.headers["location"].split("next=")[0]
    assert (await services.rights.get(request_id)).status is RightsRequestStatus.VERIFIED


async def test_an_admin_uses_the_desk(console: ConsoleClient, services: Services) -> None:
    request_id = await officer_request(services, RightsRequestType.ACCESS, "x@example.com")
    admin = await signed_in(console, services, Role.ADMIN)

    page = await admin.open("/console/privacy")
    request = await admin.open(f"/console/privacy/requests/{request_id}")

    assert requests_listed(page) == [request_id]
    assert 'aria-current="page"' in page
    assert "x@example.com" in request
