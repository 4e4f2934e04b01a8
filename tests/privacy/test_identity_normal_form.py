"""E-mail addresses are compared in one normal form (trimmed, case-folded): a person
whose product sent `Golf.Person@Example.com` is found by a request filed in any other
spelling, for access and erasure alike, and their own requests go with them."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from hub.db import Database
from hub.errors import Conflict, ErrorCode
from hub.models.common import Role
from hub.models.privacy import AuditActor, RightsRequest, RightsRequestType, VerificationMethod
from hub.models.response import Response
from hub.services import Services
from hub.services.privacy.rights import NewRequest
from hub.services.privacy.rights_identity import IdentityKind, IdentityStatus
from tests.factories import make_survey
from tests.support.erasure import _split_answers
from tests.support.graphql import GraphQLClient
from tests.support.widget import comment, score, show

GOLF = {"id": "golf-7", "username": "golfp", "email": "Golf.Person@Example.com", "locale": "en"}
OFFICER = AuditActor(key_id="k-officer", role="privacy_officer", label="officer")
SPELLINGS = ["golf.person@example.com", " GOLF.person@example.COM "]

LOGIN = """
mutation Login($user: UserInput!) { recordLogin(user: $user) { __typename } }"""
ELIGIBILITY = """
query Eligibility($user: UserInput!) {
  surveyEligibility(surveyKey: "nps-main", user: $user, channel: IN_APP_WEB) { eligible reason }
}"""
FILE = """
mutation File($input: FileRightsRequestInput!) {
  fileRightsRequest(input: $input) {
    __typename
    ... on RightsRequest { id subjectEmail }
    ... on UserError { code field }
  }
}"""
SUBMIT = """
mutation Submit($input: SubmitRightsRequestInput!) {
  submitRightsRequest(input: $input) { __typename }
}"""
MATCHES = """
query Matches($id: ID!) {
  rightsRequest(id: $id) {
    identityMatches { kind value status reached total records { collection count } }
  }
}"""
CONFIRM = """
mutation Confirm($id: ID!, $userIds: [String!]!, $reason: String!) {
  confirmRequestIdentities(id: $id, userIds: $userIds, reason: $reason) {
    __typename
    ... on UserError { code field }
  }
}"""
EXECUTE = """
mutation Execute($id: ID!) {
  executeRightsRequest(id: $id) {
    __typename
    ... on RightsRequest { status outcome { step collection count } }
    ... on UserError { code }
  }
}"""


async def _golf_answers(services: Services, gql: GraphQLClient) -> None:
    """Golf's product sends their address in mixed case, through the widget token."""
    await make_survey(services)
    await gql.ok(LOGIN, {"user": GOLF}, Role.WIDGET)
    shown = await show(gql, user=GOLF)
    scored = await score(gql, shown["displayId"], 3)
    await comment(gql, scored["responseId"], "Too slow for me")


async def _file(gql: GraphQLClient, kind: str, email: str) -> str:
    filed = await gql.ok(
        FILE,
        {"input": {"type": kind, "email": email, "verificationNote": "Called back."}},
        Role.PRIVACY_OFFICER,
    )
    assert filed["fileRightsRequest"]["__typename"] == "RightsRequest", filed
    request_id: str = filed["fileRightsRequest"]["id"]
    return request_id


def _counts(done: dict[str, Any], step: str) -> dict[str, int]:
    return {item["collection"]: item["count"] for item in done["outcome"] if item["step"] == step}


async def test_widget_addresses_are_stored_in_the_normal_form(
    services: Services, gql: GraphQLClient
) -> None:
    await _golf_answers(services, gql)

    stored = await Response.find_one()
    assert stored is not None and stored.user.email == "golf.person@example.com"


@pytest.mark.parametrize("spelling", SPELLINGS)
async def test_an_access_request_in_another_spelling_exports_everything(
    services: Services, gql: GraphQLClient, spelling: str
) -> None:
    await _golf_answers(services, gql)
    request_id = await _file(gql, "ACCESS", spelling)

    done = (await gql.ok(EXECUTE, {"id": request_id}, Role.PRIVACY_OFFICER))["executeRightsRequest"]

    assert done["status"] == "COMPLETED", done
    exported = _counts(done, "exported")
    assert (exported["responses"], exported["displays"], exported["logins"]) == (1, 1, 1)


@pytest.mark.parametrize("spelling", SPELLINGS)
async def test_an_erasure_in_another_spelling_erases_everything(
    services: Services,
    gql: GraphQLClient,
    http: httpx.AsyncClient,
    database: Database,
    spelling: str,
) -> None:
    await _golf_answers(services, gql)
    # Someone else quotes Golf's address, spelt otherwise
    other = {"id": "hotel-8", "username": "hotel", "email": "hotel@example.org", "locale": "en"}
    shown = await show(gql, user=other)
    scored = await score(gql, shown["displayId"], 9)
    await comment(gql, scored["responseId"], "Ask GOLF.Person@Example.COM, she agrees")
    # Golf once asked for their data through the public form, in mixed case
    await gql.ok(SUBMIT, {"input": {"type": "ACCESS", "email": "GOLF.Person@example.com"}})
    [earlier] = await RightsRequest.find_all().to_list()
    assert earlier.subject.email == "golf.person@example.com"
    request_id = await _file(gql, "ERASURE", spelling)

    # The officer sees the address's records, and the user id found on them
    matches = (await gql.ok(MATCHES, {"id": request_id}, Role.PRIVACY_OFFICER))["rightsRequest"]
    by_value = {item["value"]: item for item in matches["identityMatches"]}
    email = by_value["golf.person@example.com"]
    assert (email["kind"], email["status"], email["reached"]) == ("EMAIL", "CONFIRMED", True)
    assert {"collection": "responses", "count": 1} in email["records"]
    user = by_value["golf-7"]
    assert (user["kind"], user["status"], user["reached"]) == ("USER_ID", "LINKED", False)
    confirmed = await gql.ok(
        CONFIRM,
        {"id": request_id, "userIds": ["golf-7"], "reason": "Same account in the CRM."},
        Role.PRIVACY_OFFICER,
    )
    assert confirmed["confirmRequestIdentities"]["__typename"] == "RightsRequest", confirmed

    done = (await gql.ok(EXECUTE, {"id": request_id}, Role.PRIVACY_OFFICER))["executeRightsRequest"]

    assert done["status"] == "COMPLETED", done
    erased = _counts(done, "erased")
    assert (erased["responses"], erased["displays"], erased["logins"]) == (1, 1, 1)
    assert erased["rights_requests"] == 2  # this one and the earlier mixed-case one
    everything, answers = _split_answers(
        {
            name: [doc async for doc in database[name].find()]
            for name in await database.list_collection_names()
        }
    )
    # The e-mails answering Golf's request (receipt, completion) are the one copy of the
    # address left, until they are delivered (then the outbox keeps no address)
    assert [(doc["kind"], doc["payload"]["to"]) for doc in answers] == [
        ("email", "golf.person@example.com")
    ] * 2
    text = json.dumps(everything, default=str).casefold()
    assert "golf.person" not in text and "golf-7" not in text and "golfp" not in text
    for user in (GOLF, dict(GOLF, email="GOLF.PERSON@EXAMPLE.COM")):
        eligibility = await gql.ok(ELIGIBILITY, {"user": user}, Role.WIDGET)
        assert eligibility["surveyEligibility"] == {"eligible": False, "reason": "SUPPRESSED"}
    assert erased["responses"] == 1 and _counts(done, "quotes_redacted")["responses"] == 1
    quoted = await Response.find_one({"user.id": "hotel-8"})
    assert quoted is not None and quoted.comment == "Ask [redacted], she agrees"
    anonymous = {"email": None, "user_id": None}
    assert (await RightsRequest.get(earlier.id)).subject.model_dump() == anonymous  # type: ignore[union-attr]


async def test_an_officer_confirms_a_linked_address_in_any_spelling(
    services: Services, gql: GraphQLClient
) -> None:
    # Given a request an officer filed by user id: the address on its records is linked
    await _golf_answers(services, gql)
    request = await services.rights.file(
        NewRequest(RightsRequestType.ACCESS, user_id="golf-7"),
        OFFICER,
        VerificationMethod.OTHER_MEANS,
        "Signed in to the customer portal.",
    )
    before = {(m.kind, m.value): m.status for m in await services.privacy.identity_matches(request)}
    assert before == {
        (IdentityKind.USER_ID, "golf-7"): IdentityStatus.CONFIRMED,
        (IdentityKind.EMAIL, "golf.person@example.com"): IdentityStatus.LINKED,
    }

    # When the officer confirms it, spelt otherwise
    confirmed = await services.privacy.confirm_identities(
        str(request.id), [], [" GOLF.Person@Example.com"], "Same person.", OFFICER
    )

    # Then it is confirmed in its normal form, and once only when confirmed again
    after = {
        (m.kind, m.value): m.status for m in await services.privacy.identity_matches(confirmed)
    }
    assert after[(IdentityKind.EMAIL, "golf.person@example.com")] is IdentityStatus.CONFIRMED
    again = await services.privacy.confirm_identities(
        str(request.id), [], ["golf.person@example.com"], "Checked twice.", OFFICER
    )
    assert again.confirmed_emails == ["golf.person@example.com"]
    assert len(again.identity_confirmations) == 2
    done = await services.privacy.execute(str(request.id), OFFICER)
    with pytest.raises(Conflict) as refused:
        await services.privacy.confirm_identities(
            str(request.id), ["golf-7"], [], "Too late.", OFFICER
        )
    assert refused.value.code is ErrorCode.INVALID_TRANSITION
    assert done.outcome["exported"]["responses"] == 1
