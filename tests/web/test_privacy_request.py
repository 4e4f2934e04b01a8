"""The public rights-request form and mutation: the request waits for the link that
is e-mailed (over SMTP, to a real local server); opening it in time verifies the
request; three wrong or expired tries lock it."""

from __future__ import annotations

from datetime import timedelta

import httpx
from itsdangerous import URLSafeSerializer

from hub.clock import FrozenClock
from hub.models.privacy import RightsRequest, RightsRequestStatus, VerificationMethod
from hub.server_secret import server_secret
from hub.services import Services
from hub.settings import Settings
from tests.support.graphql import GraphQLClient
from tests.support.mail import Mailbox, links_in, path
from tests.support.privacy_pages import SUBMIT

ADDRESS = "anna.lund@example.org"


async def _link(services: Services, mailbox: Mailbox) -> str:
    await services.dispatcher.run_once()
    [message] = mailbox.to(ADDRESS)
    [link] = [url for url in links_in(message) if "/privacy/verify/" in url]
    return link


async def test_the_form_files_a_request_that_the_mailed_link_verifies(
    services: Services, http: httpx.AsyncClient, mailbox: Mailbox
) -> None:
    form = await http.get("/privacy/request")
    assert form.status_code == 200 and 'name="email"' in form.text

    sent = await http.post(
        "/privacy/request",
        data={"type": "ERASURE", "email": ADDRESS, "user_id": "subject-a", "message": "Bye"},
    )

    assert sent.status_code == 200 and "sent you an e-mail" in sent.text
    [request] = await RightsRequest.find_all().to_list()
    assert request.status is RightsRequestStatus.RECEIVED and request.verification is None
    link = await _link(services, mailbox)
    assert (await http.get(path(link))).status_code == 200  # a scanner's GET verifies nothing
    assert (await RightsRequest.get(request.id)).status is RightsRequestStatus.RECEIVED  # type: ignore[union-attr]

    confirmed = await http.post(path(link))

    assert confirmed.status_code == 200 and "confirmed" in confirmed.text
    verified = await RightsRequest.get(request.id)
    assert verified is not None and verified.status is RightsRequestStatus.VERIFIED
    assert verified.verification is VerificationMethod.EMAIL_LINK
    assert [entry.action for entry in await services.audit.entries()][:2] == [
        "rights_request.verified",
        "rights_request.filed",
    ]


async def test_a_bad_form_says_why_and_files_nothing(http: httpx.AsyncClient) -> None:
    page = await http.post("/privacy/request", data={"type": "ERASURE", "email": "nope"})

    assert page.status_code == 400 and "not valid" in page.text
    assert await RightsRequest.count() == 0


async def test_control_characters_are_refused_with_the_field_named(
    http: httpx.AsyncClient,
) -> None:
    page = await http.post(
        "/privacy/request",
        data={"type": "ERASURE", "email": ADDRESS, "user_id": "subject\x00a", "message": "Bye"},
    )
    kept = await http.post(
        "/privacy/request",
        data={"type": "ACCESS", "email": ADDRESS, "message": "Line one\r\n\tline two"},
    )

    assert page.status_code == 400 and "user_id holds a control character" in page.text
    assert kept.status_code == 200
    [request] = await RightsRequest.find_all().to_list()
    assert request.message is not None and "line two" in request.message


async def test_three_wrong_or_expired_tries_lock_the_request(
    services: Services,
    gql: GraphQLClient,
    http: httpx.AsyncClient,
    mailbox: Mailbox,
    clock: FrozenClock,
) -> None:
    submitted = await gql.ok(SUBMIT, {"input": {"type": "ACCESS", "email": ADDRESS}})
    assert submitted["submitRightsRequest"]["__typename"] == "RightsRequestSubmitted"
    link = await _link(services, mailbox)
    base, token = path(link).rsplit("/", 1)

    wrong = await http.post(f"{base}/{token[:-2]}xx")
    assert wrong.status_code == 400
    wrong_again = await http.post(f"{base}/garbage")
    assert wrong_again.status_code == 400
    clock.advance(timedelta(hours=24, seconds=1))
    expired = await http.post(path(link))
    assert expired.status_code == 400 and "expired" in expired.text
    clock.advance(timedelta(hours=-2))  # in time again, but too late: locked
    locked = await http.post(path(link))

    assert locked.status_code == 403
    [request] = await RightsRequest.find_all().to_list()
    assert request.locked and request.verification_failures == 3
    assert request.status is RightsRequestStatus.RECEIVED


async def test_a_link_mailed_before_tokens_had_one_expiry_field_still_verifies(
    services: Services,
    gql: GraphQLClient,
    http: httpx.AsyncClient,
    mailbox: Mailbox,
    clock: FrozenClock,
    settings: Settings,
) -> None:
    # Verification links work up to a week (HUB_RIGHTS_VERIFICATION_HOURS): those
    # mailed by the previous version named their expiry "expires", in fractions.
    await gql.ok(SUBMIT, {"input": {"type": "ACCESS", "email": ADDRESS}})
    base = path(await _link(services, mailbox)).rsplit("/", 1)[0]
    request_id = base.rsplit("/", 1)[1]
    signer = URLSafeSerializer(server_secret(settings), salt="rights-verification")
    expires = (clock.now() + timedelta(hours=48, microseconds=500)).timestamp()
    before = signer.dumps({"request": request_id, "expires": expires})
    clock.advance(timedelta(hours=47))

    confirmed = await http.post(f"{base}/{before}")

    assert confirmed.status_code == 200 and "confirmed" in confirmed.text
    verified = await RightsRequest.get(request_id)
    assert verified is not None and verified.status is RightsRequestStatus.VERIFIED


async def test_the_public_mutation_needs_a_valid_address(gql: GraphQLClient) -> None:
    refused = await gql.ok(SUBMIT, {"input": {"type": "ACCESS", "email": "x"}})

    assert refused["submitRightsRequest"] == {
        "__typename": "ValidationError",
        "code": "INVALID_EMAIL",
        "field": "email",
    }
    assert await RightsRequest.count() == 0
