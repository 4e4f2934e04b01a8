"""Messages to the person a rights request is about, delivered over SMTP to a real
local server in the request's language: receipt, extension and rejection with their
reasons, completion (with the download link of an export, and to the address an
erasure removed), and the notice before a restriction is lifted. A request without
an e-mail address sends nothing and says so; a second attempt sends nothing more."""

from __future__ import annotations

import html
from datetime import timedelta
from email.message import EmailMessage
from typing import Any

import httpx

from hub.clock import FrozenClock
from hub.i18n_rights_pages import PAGE_STRINGS
from hub.models.common import Role
from hub.models.outbox import OutboxMessage
from hub.models.privacy import RightsRequest
from hub.services import Services
from tests.support.graphql import GraphQLClient
from tests.support.mail import PUBLIC_URL, Mailbox, links_in, text_of

REQUEST = """
fragment Request on RightsRequest {
  id status dueOn locale subjectEmail subjectNotifiedAt subjectNoticeOutboxId
  messages { kind at outboxId undeliverable delivery }
}"""
FILE = (
    """
mutation File($input: FileRightsRequestInput!) {
  fileRightsRequest(input: $input) {
    __typename
    ... on RightsRequest { ...Request }
    ... on UserError { code field }
  }
}"""
    + REQUEST
)
SUBMIT = """
mutation Submit($input: SubmitRightsRequestInput!) {
  submitRightsRequest(input: $input) { __typename ... on UserError { code field } }
}"""
GET = "query Get($id: ID!) { rightsRequest(id: $id) { ...Request } }" + REQUEST
EXTEND = (
    """
mutation Extend($id: ID!, $reason: String!) {
  extendRightsRequest(id: $id, reason: $reason, months: 2) {
    __typename
    ... on RightsRequest { ...Request }
    ... on UserError { code }
  }
}"""
    + REQUEST
)
SET_STATUS = (
    """
mutation Set($id: ID!, $status: RightsRequestStatus!, $reason: String) {
  setRightsRequestStatus(id: $id, status: $status, reason: $reason) {
    __typename
    ... on RightsRequest { ...Request }
    ... on UserError { code }
  }
}"""
    + REQUEST
)
EXECUTE = (
    """
mutation Execute($id: ID!) {
  # the people in these tests have no records: the officer goes on knowingly
  executeRightsRequest(id: $id, allowNoMatch: true) {
    __typename
    ... on RightsRequest { ...Request }
    ... on UserError { code }
  }
}"""
    + REQUEST
)
NOTIFY = (
    """
mutation Notify($id: ID!) {
  notifyRestrictionLift(id: $id) {
    __typename
    ... on RightsRequest { ...Request }
    ... on UserError { code field }
  }
}"""
    + REQUEST
)
RECORD = (
    """
mutation Record($id: ID!) {
  recordSubjectNotified(id: $id) {
    __typename
    ... on RightsRequest { ...Request }
    ... on UserError { code }
  }
}"""
    + REQUEST
)
LIFT = """
mutation Lift($id: ID!) {
  liftRestriction(id: $id) {
    __typename
    ... on RightsRequest { restrictionActive restrictionLiftedAt }
    ... on UserError { code }
  }
}"""

ANNA = "anna.lund@example.org"
JUAN = "juan.perez@example.es"
OFFICER = Role.PRIVACY_OFFICER


async def _file(
    gql: GraphQLClient, type: str, email: str | None, locale: str | None, user_id: str | None = None
) -> dict[str, Any]:
    given: dict[str, Any] = {"type": type, "verificationNote": "ID card seen at the desk."}
    if email is not None:
        given["email"] = email
    if user_id is not None:
        given["userId"] = user_id
    if locale is not None:
        given["locale"] = locale
    filed: dict[str, Any] = (await gql.ok(FILE, {"input": given}, OFFICER))["fileRightsRequest"]
    assert filed["__typename"] == "RightsRequest", filed
    return filed


async def _call(gql: GraphQLClient, document: str, **variables: Any) -> dict[str, Any]:
    data = await gql.ok(document, variables, OFFICER)
    [result] = data.values()
    assert isinstance(result, dict)
    return result


async def _delivered(services: Services, mailbox: Mailbox, address: str) -> list[EmailMessage]:
    await services.dispatcher.run_once()
    return mailbox.to(address)


def _kinds(request: dict[str, Any]) -> list[str]:
    return [message["kind"] for message in request["messages"]]


async def test_an_officer_filed_request_is_acknowledged_in_its_language(
    services: Services, gql: GraphQLClient, mailbox: Mailbox
) -> None:
    spanish = await _file(gql, "ACCESS", JUAN, "es-ES")
    english = await _file(gql, "ACCESS", ANNA, None)

    [receipt] = await _delivered(services, mailbox, JUAN)
    [english_receipt] = mailbox.to(ANNA)

    assert spanish["locale"] == "es-ES" and english["locale"] is None
    assert receipt["Subject"] == "Hemos recibido tu solicitud de protección de datos"
    assert receipt["Content-Language"] == "es"
    body = text_of(receipt)
    assert "Te responderemos como muy tarde el " + spanish["dueOn"] in body
    assert "una copia de tus datos (acceso)" in body and spanish["id"] in body
    assert JUAN not in body  # the address is where it goes, not what it says
    assert english_receipt["Subject"] == "We received your data-protection request"
    assert "We will answer by " + english["dueOn"] in text_of(english_receipt)
    [message] = spanish["messages"]
    assert message["kind"] == "RECEIPT" and message["undeliverable"] is None
    shown = (await _call(gql, GET, id=spanish["id"]))["messages"]
    assert shown == [{**message, "delivery": "DELIVERED"}]


async def test_a_public_request_is_acknowledged_once_verified_in_the_browsers_language(
    services: Services, http: httpx.AsyncClient, gql: GraphQLClient, mailbox: Mailbox
) -> None:
    sent = await http.post(
        "/privacy/request",
        data={"type": "ACCESS", "email": ANNA},
        headers={"Accept-Language": "de-DE, nb-NO;q=0.8, en;q=0.5"},
    )
    assert sent.status_code == 200
    [request] = await RightsRequest.find_all().to_list()
    assert request.locale == "nb"  # German is not supported: the next language wanted
    [verification] = await _delivered(services, mailbox, ANNA)  # no receipt before the link
    assert verification["Subject"] == "Bekreft personvernforespørselen din"
    assert "åpne denne lenken innen 24 timer" in text_of(verification).lower()
    [link] = [url for url in links_in(verification) if "/privacy/verify/" in url]

    assert (await http.post(link.removeprefix(PUBLIC_URL))).status_code == 200
    await http.post(link.removeprefix(PUBLIC_URL))  # opened twice

    mails = await _delivered(services, mailbox, ANNA)
    assert len(mails) == 2
    receipt = mails[1]
    assert receipt["Subject"] == "Vi har mottatt personvernforespørselen din"
    assert "Vi svarer senest" in text_of(receipt)
    shown = await _call(gql, GET, id=str(request.id))
    assert _kinds(shown) == ["RECEIPT"]


async def test_the_public_mutation_takes_a_locale_and_refuses_a_malformed_one(
    gql: GraphQLClient,
) -> None:
    given = {"type": "ERASURE", "email": ANNA, "locale": "sv-SE"}
    assert (await gql.ok(SUBMIT, {"input": given}))["submitRightsRequest"] == {
        "__typename": "RightsRequestSubmitted"
    }
    refused = await gql.ok(SUBMIT, {"input": {**given, "locale": "not a locale!"}})

    assert refused["submitRightsRequest"] == {
        "__typename": "ValidationError",
        "code": "INVALID_LOCALE",
        "field": "locale",
    }
    [request] = await RightsRequest.find_all().to_list()
    assert request.locale == "sv-SE"


async def test_an_extension_tells_its_reason_once(
    services: Services, gql: GraphQLClient, mailbox: Mailbox
) -> None:
    filed = await _file(gql, "ACCESS", JUAN, "es")
    reason = "Tu solicitud abarca varios productos; necesitamos consultar a cada equipo."

    extended = await _call(gql, EXTEND, id=filed["id"], reason=reason)
    again = await _call(gql, EXTEND, id=filed["id"], reason="Otra vez")

    assert again == {"__typename": "ConflictError", "code": "ALREADY_EXTENDED"}
    mails = await _delivered(services, mailbox, JUAN)
    assert [mail["Subject"] for mail in mails] == [
        "Hemos recibido tu solicitud de protección de datos",
        "Necesitamos más tiempo para tu solicitud de protección de datos",
    ]
    body = text_of(mails[1])
    assert reason in body and "como muy tarde el " + extended["dueOn"] in body
    assert extended["dueOn"] != filed["dueOn"]
    assert _kinds(extended) == ["RECEIPT", "EXTENSION"]
    assert await OutboxMessage.find({"key": {"$regex": ":EXTENSION$"}}).count() == 1


async def test_a_rejection_tells_its_reason_and_where_to_complain(
    services: Services, gql: GraphQLClient, mailbox: Mailbox
) -> None:
    filed = await _file(gql, "ERASURE", ANNA, "nl-BE")
    reason = "We hebben geen gegevens onder dit adres gevonden."

    rejected = await _call(gql, SET_STATUS, id=filed["id"], status="REJECTED", reason=reason)

    assert rejected["status"] == "REJECTED" and _kinds(rejected) == ["RECEIPT", "REJECTION"]
    [_, rejection] = await _delivered(services, mailbox, ANNA)
    assert rejection["Subject"] == "Uw verzoek over gegevensbescherming is afgewezen"
    body = text_of(rejection)
    assert reason in body and "toezichthoudende autoriteit" in body
    assert "wissing van uw gegevens" in body


async def test_an_access_completion_carries_the_download_link_and_is_sent_once(
    services: Services, gql: GraphQLClient, http: httpx.AsyncClient, mailbox: Mailbox
) -> None:
    filed = await _file(gql, "ACCESS", ANNA, "fi")

    done = await _call(gql, EXECUTE, id=filed["id"])
    twice = await _call(gql, EXECUTE, id=filed["id"])

    assert done["status"] == "COMPLETED" and twice["code"] == "NOT_EXECUTABLE"
    assert _kinds(done) == ["RECEIPT", "COMPLETION"]
    [_, completion] = await _delivered(services, mailbox, ANNA)
    assert completion["Subject"] == "Tietosuojapyyntösi on käsitelty"
    [link] = [url for url in links_in(completion) if "/exports/" in url]
    # the person's link asks them to confirm (a mail scanner uses nothing up), then delivers
    finnish = {"Accept-Language": "fi-FI"}
    page = await http.get(link.removeprefix(PUBLIC_URL), headers=finnish)
    assert page.status_code == 200 and "<form" in page.text
    assert PAGE_STRINGS["fi"]["download"] in html.unescape(page.text)  # the browser's language
    download = await http.post(link.removeprefix(PUBLIC_URL))
    assert download.status_code == 200 and download.json()["subject"]
    used = await http.post(link.removeprefix(PUBLIC_URL), headers=finnish)
    assert used.status_code == 410 and PAGE_STRINGS["fi"]["export_gone"] in html.unescape(used.text)
    assert ANNA not in text_of(completion)
    assert await OutboxMessage.find({"key": {"$regex": ":COMPLETION$"}}).count() == 1


async def test_an_erasure_completion_reaches_the_address_it_erased(
    services: Services, gql: GraphQLClient, mailbox: Mailbox, clock: FrozenClock
) -> None:
    filed = await _file(gql, "ERASURE", JUAN, "es")
    await services.dispatcher.run_once()  # the receipt goes out

    done = await _call(gql, EXECUTE, id=filed["id"])

    assert done["subjectEmail"] is None  # erased from the request
    assert _kinds(done) == ["RECEIPT", "COMPLETION"]
    [_, completion] = await _delivered(services, mailbox, JUAN)
    assert completion["Subject"] == "Tu solicitud de protección de datos está resuelta"
    assert "Tus datos han sido suprimidos" in text_of(completion)
    assert JUAN not in text_of(completion)
    [queued] = await OutboxMessage.find({"key": {"$regex": ":COMPLETION$"}}).to_list()
    assert queued.subject_ids == []  # names no user id


async def test_a_request_without_an_address_sends_nothing_and_says_so(
    services: Services, gql: GraphQLClient, mailbox: Mailbox
) -> None:
    filed = await _file(gql, "ACCESS", None, "es", user_id="user-4711")
    await _call(gql, EXTEND, id=filed["id"], reason="Many records.")
    rejected = await _call(gql, SET_STATUS, id=filed["id"], status="REJECTED", reason="No data.")

    await services.dispatcher.run_once()
    assert mailbox.messages == []
    assert await OutboxMessage.count() == 0
    assert [
        (item["kind"], item["undeliverable"], item["outboxId"]) for item in rejected["messages"]
    ] == [
        ("RECEIPT", "NO_EMAIL_ADDRESS", None),
        ("EXTENSION", "NO_EMAIL_ADDRESS", None),
        ("REJECTION", "NO_EMAIL_ADDRESS", None),
    ]
    assert {item["delivery"] for item in rejected["messages"]} == {None}


async def test_the_lift_notice_is_recorded_as_the_notification_before_the_lift(
    services: Services, gql: GraphQLClient, mailbox: Mailbox, clock: FrozenClock
) -> None:
    filed = await _file(gql, "RESTRICTION", JUAN, "es", user_id="user-4711")
    done = await _call(gql, EXECUTE, id=filed["id"])
    early = await _call(gql, LIFT, id=filed["id"])
    assert early == {"__typename": "ConflictError", "code": "SUBJECT_NOT_NOTIFIED"}

    notified = await _call(gql, NOTIFY, id=filed["id"])
    again = await _call(gql, NOTIFY, id=filed["id"])
    clock.advance(timedelta(minutes=7))
    mails = await _delivered(services, mailbox, JUAN)
    recorded = await _call(gql, RECORD, id=filed["id"])
    lifted = await _call(gql, LIFT, id=filed["id"])

    assert "Te avisaremos antes de levantar la limitación" in text_of(mails[1])
    assert [mail["Subject"] for mail in mails] == [
        "Hemos recibido tu solicitud de protección de datos",
        "Tu solicitud de protección de datos está resuelta",
        "Se va a levantar la limitación de tus datos",
    ]
    assert f"{PUBLIC_URL}/privacy/request" in text_of(mails[2])
    assert _kinds(done) == ["RECEIPT", "COMPLETION"]
    assert _kinds(notified) == _kinds(again) == ["RECEIPT", "COMPLETION", "RESTRICTION_LIFT_NOTICE"]
    notice = notified["messages"][-1]
    assert notice["outboxId"] and recorded["subjectNoticeOutboxId"] == notice["outboxId"]
    delivered_at = (await OutboxMessage.get(notice["outboxId"])).delivered_at  # type: ignore[union-attr]
    assert delivered_at == clock.now()
    assert recorded["subjectNotifiedAt"] == clock.now().isoformat()  # delivered, not queued
    assert recorded["subjectNotifiedAt"] != notice["at"]
    assert lifted["__typename"] == "RightsRequest" and lifted["restrictionActive"] is False
    actions = [entry.action for entry in await services.audit.entries()]
    assert actions[:3] == [
        "rights_request.restriction_lifted",
        "rights_request.subject_notified",
        "rights_request.restriction_lift_notice",
    ]


async def test_without_an_address_the_notice_is_refused_and_other_means_are_recorded(
    gql: GraphQLClient, mailbox: Mailbox, clock: FrozenClock
) -> None:
    filed = await _file(gql, "RESTRICTION", None, None, user_id="user-4711")
    await _call(gql, EXECUTE, id=filed["id"])

    refused = await _call(gql, NOTIFY, id=filed["id"])
    recorded = await _call(gql, RECORD, id=filed["id"])

    assert refused == {"__typename": "ConflictError", "code": "NO_EMAIL_ADDRESS", "field": "id"}
    assert recorded["subjectNotifiedAt"] == clock.now().isoformat()
    assert recorded["subjectNoticeOutboxId"] is None
    assert (await _call(gql, LIFT, id=filed["id"]))["restrictionActive"] is False


async def test_no_notice_before_a_restriction_is_in_force(gql: GraphQLClient) -> None:
    filed = await _file(gql, "RESTRICTION", ANNA, None)
    access = await _file(gql, "ACCESS", ANNA, None)

    assert (await _call(gql, NOTIFY, id=filed["id"]))["code"] == "INVALID_TRANSITION"
    assert (await _call(gql, NOTIFY, id=access["id"]))["code"] == "INVALID_TRANSITION"
    assert (await _call(gql, NOTIFY, id="nope"))["code"] == "NOT_FOUND"


async def test_a_notice_refused_for_good_leaves_the_notification_to_other_means(
    services: Services, gql: GraphQLClient, mailbox: Mailbox, clock: FrozenClock
) -> None:
    filed = await _file(gql, "RESTRICTION", ANNA, "sv")
    await _call(gql, EXECUTE, id=filed["id"])
    assert len(await _delivered(services, mailbox, ANNA)) == 2
    mailbox.refused.add(ANNA)  # the mailbox is closed meanwhile

    await _call(gql, NOTIFY, id=filed["id"])
    await services.dispatcher.run_once()
    clock.advance(timedelta(hours=3))
    shown = await _call(gql, GET, id=filed["id"])
    recorded = await _call(gql, RECORD, id=filed["id"])

    assert [item["delivery"] for item in shown["messages"]] == ["DELIVERED", "DELIVERED", "FAILED"]
    assert recorded["subjectNoticeOutboxId"] is None  # told by other means, now
    assert recorded["subjectNotifiedAt"] == clock.now().isoformat()


async def test_an_address_never_verified_gets_nothing_but_its_link(
    services: Services, gql: GraphQLClient, mailbox: Mailbox
) -> None:
    given = {"type": "ERASURE", "email": ANNA, "locale": "da"}
    await gql.ok(SUBMIT, {"input": given})
    await gql.ok(SUBMIT, {"input": {**given, "type": "ACCESS"}})
    unverified, officer_verified = await RightsRequest.find_all().sort("+_id").to_list()

    rejected = await _call(
        gql, SET_STATUS, id=str(unverified.id), status="REJECTED", reason="Never confirmed."
    )
    verified = await _call(gql, SET_STATUS, id=str(officer_verified.id), status="VERIFIED")

    mails = await _delivered(services, mailbox, ANNA)
    assert [mail["Subject"] for mail in mails] == [
        "Bekræft din anmodning om databeskyttelse",
        "Bekræft din anmodning om databeskyttelse",
        "Vi har modtaget din anmodning om databeskyttelse",  # verified by the officer
    ]
    assert [(item["kind"], item["undeliverable"]) for item in rejected["messages"]] == [
        ("REJECTION", "ADDRESS_NOT_VERIFIED")
    ]
    assert _kinds(verified) == ["RECEIPT"] and verified["messages"][0]["outboxId"]
