"""Identity is bound, not assumed: a public request proves control of one e-mail
address and reaches only the records that carry it. A user id given with it is a
claim, and user ids found on the address's records are links; an officer must confirm
them, with a reason, before execution reaches their records."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from hub.models.activity import Login
from hub.models.common import Channel, Role, UserIdentity
from hub.models.privacy import RightsRequest
from hub.models.privacy_export import PrivacyExport
from hub.models.response import Response
from hub.models.suppression import Suppression
from hub.services import Services
from hub.services.widget.throttling import Rule
from tests.factories import context, make_survey
from tests.support.graphql import GraphQLClient
from tests.support.mail import Mailbox, links_in, path
from tests.support.privacy_pages import SUBMIT

VICTIM = UserIdentity(id="victim-4711", username="vicky", email="victim@example.org")
ATTACKER = "mallory@example.net"
# The export may quote the request itself, with the user id its filer claimed.
VICTIM_RECORDS = ["vicky", "victim@example.org", "Invoices are slow"]

MATCHES = """
query Matches($id: ID!) {
  rightsRequest(id: $id) {
    subjectUserId
    identityMatches { kind value status reached total records { collection count } }
  }
}"""
CONFIRM = """
mutation Confirm($id: ID!, $userIds: [String!]!, $reason: String!) {
  confirmRequestIdentities(id: $id, userIds: $userIds, reason: $reason) {
    __typename
    ... on RightsRequest { id }
    ... on UserError { code field message }
  }
}"""
EXECUTE = """
mutation Execute($id: ID!, $allowNoMatch: Boolean) {
  executeRightsRequest(id: $id, allowNoMatch: $allowNoMatch) {
    __typename
    ... on RightsRequest { status outcome { step collection count } }
    ... on UserError { code field message }
  }
}"""


async def _victim_answers(services: Services) -> None:
    await make_survey(services)
    await services.responses.record_login(VICTIM)
    display = await services.responses.record_display(
        "nps-main", VICTIM, Channel.IN_APP_WEB, context(), "en"
    )
    response = await services.responses.submit_score(str(display.id), 2)
    await services.responses.submit_comment(str(response.id), "Invoices are slow")


async def _verified_by_attacker(
    services: Services, http: httpx.AsyncClient, mailbox: Mailbox
) -> RightsRequest:
    """The attacker opens the link that went to their own mailbox."""
    await services.dispatcher.run_once()
    [message] = mailbox.to(ATTACKER)
    [link] = [url for url in links_in(message) if "/privacy/verify/" in url]
    assert (await http.post(path(link))).status_code == 200
    [request] = await RightsRequest.find_all().to_list()
    return request


async def _submit(how: str, kind: str, gql: GraphQLClient, http: httpx.AsyncClient) -> str:
    fields = {"type": kind, "email": ATTACKER, "userId": VICTIM.id}
    if how == "mutation":
        result = await gql.ok(SUBMIT, {"input": fields})
        assert result["submitRightsRequest"]["__typename"] == "RightsRequestSubmitted"
        return str(result["submitRightsRequest"]["message"])
    page = await http.post(
        "/privacy/request", data={"type": kind, "email": ATTACKER, "user_id": VICTIM.id}
    )
    assert page.status_code == 200
    return page.text


async def _victim_data(services: Services) -> str:
    found = [
        await Response.find_all().to_list(),
        await services.throttling.check(
            await services.surveys.get("nps-main"), VICTIM.id, Channel.IN_APP_WEB, VICTIM.email
        ),
    ]
    return json.dumps(found, default=str)


async def _execute(gql: GraphQLClient, request_id: str, **extra: Any) -> dict[str, Any]:
    done = await gql.ok(EXECUTE, {"id": request_id, **extra}, Role.PRIVACY_OFFICER)
    result: dict[str, Any] = done["executeRightsRequest"]
    return result


@pytest.mark.parametrize("how", ["mutation", "form"])
@pytest.mark.parametrize("kind", ["ACCESS", "ERASURE"])
async def test_a_stranger_cannot_reach_another_persons_data(
    services: Services,
    gql: GraphQLClient,
    http: httpx.AsyncClient,
    mailbox: Mailbox,
    how: str,
    kind: str,
) -> None:
    # Given the victim's data, and a stranger's request with their own address and
    # the victim's user id, verified through the stranger's own mailbox
    await _victim_answers(services)
    before = await _victim_data(services)
    answer = await _submit(how, kind, gql, http)
    request = await _verified_by_attacker(services, http, mailbox)

    # The officer sees that only the claimed user id has records
    seen = (await gql.ok(MATCHES, {"id": str(request.id)}, Role.PRIVACY_OFFICER))["rightsRequest"]
    matches = {(item["kind"], item["value"]): item for item in seen["identityMatches"]}
    email = matches[("EMAIL", ATTACKER)]
    assert (email["status"], email["reached"], email["total"]) == ("VERIFIED", True, 0)
    claimed = matches[("USER_ID", VICTIM.id)]
    assert (claimed["status"], claimed["reached"]) == ("CLAIMED", False)
    assert {"collection": "responses", "count": 1} in claimed["records"]

    # When it is executed, it says the verified address matches nothing
    refused = await _execute(gql, str(request.id))
    assert (refused["__typename"], refused["code"]) == ("ConflictError", "NO_MATCHING_RECORDS")
    assert "victim" not in refused["message"] and "mallory" not in refused["message"]
    assert (await RightsRequest.get(request.id)).status == request.status  # type: ignore[union-attr]
    # and, acknowledged, it completes without touching the victim
    done = await _execute(gql, str(request.id), allowNoMatch=True)

    assert done["status"] == "COMPLETED", done
    assert await _victim_data(services) == before
    stored = await PrivacyExport.find(PrivacyExport.request_id == str(request.id)).to_list()
    assert not [trace for trace in VICTIM_RECORDS if trace in json.dumps([e.data for e in stored])]
    data = {"responses", "displays", "logins", "people", "contact_states", "follow_ups"}
    assert not [item for item in done["outcome"] if item["collection"] in data and item["count"]], (
        done["outcome"]
    )
    survey = await services.surveys.get("nps-main")
    eligibility = await services.throttling.check(survey, VICTIM.id, Channel.IN_APP_WEB)
    assert Rule.SUPPRESSED not in [block.rule for block in eligibility.blocks]
    suppressed = {item.identity_hmac async for item in Suppression.find_all()}
    if kind == "ERASURE":
        assert suppressed == set(services.suppressions.hmacs(email=ATTACKER))
    else:
        assert suppressed == set()
    # The public answer is the same whether or not the claimed id has records
    await RightsRequest.find_all().delete()
    assert answer == await _submit(how, kind, gql, http)


async def test_user_ids_linked_by_the_address_wait_for_the_officer(
    services: Services, gql: GraphQLClient, http: httpx.AsyncClient, mailbox: Mailbox
) -> None:
    # Given a hostile client that recorded a login with the victim's user id and the
    # attacker's own address, and the attacker's verified erasure of that address
    await _victim_answers(services)
    await services.responses.record_login(UserIdentity(id=VICTIM.id, email=ATTACKER.upper()))
    await gql.ok(SUBMIT, {"input": {"type": "ERASURE", "email": ATTACKER}})
    request = await _verified_by_attacker(services, http, mailbox)
    seen = (await gql.ok(MATCHES, {"id": str(request.id)}, Role.PRIVACY_OFFICER))["rightsRequest"]
    matches = {(item["kind"], item["value"]): item for item in seen["identityMatches"]}
    assert matches[("EMAIL", ATTACKER)]["records"] == [{"collection": "logins", "count": 1}]
    linked = matches[("USER_ID", VICTIM.id)]
    assert (linked["status"], linked["reached"]) == ("LINKED", False)

    done = await _execute(gql, str(request.id))

    # Then only the record carrying the verified address is erased
    assert done["status"] == "COMPLETED", done
    erased = {
        item["collection"]: item["count"] for item in done["outcome"] if item["step"] == "erased"
    }
    assert (erased["displays"], erased["responses"], erased["logins"]) == (0, 0, 1)
    assert erased["people"] == 0 and erased["contact_states"] == 0
    assert await Response.find_one({"user.id": VICTIM.id}) is not None
    assert await Login.find_one({"user.email": VICTIM.email}) is not None
    survey = await services.surveys.get("nps-main")
    eligibility = await services.throttling.check(survey, VICTIM.id, Channel.IN_APP_WEB)
    assert Rule.SUPPRESSED not in [block.rule for block in eligibility.blocks]


async def test_an_officer_confirms_a_claimed_user_id_with_a_reason(
    services: Services, gql: GraphQLClient, http: httpx.AsyncClient, mailbox: Mailbox
) -> None:
    await _victim_answers(services)
    await gql.ok(SUBMIT, {"input": {"type": "ERASURE", "email": ATTACKER, "userId": VICTIM.id}})
    request = await _verified_by_attacker(services, http, mailbox)
    variables = {"id": str(request.id), "userIds": [VICTIM.id], "reason": "  "}

    no_reason = (await gql.ok(CONFIRM, variables, Role.PRIVACY_OFFICER))["confirmRequestIdentities"]
    stranger = (
        await gql.ok(
            CONFIRM,
            {**variables, "userIds": ["someone-else"], "reason": "Asked by phone."},
            Role.PRIVACY_OFFICER,
        )
    )["confirmRequestIdentities"]
    assert (no_reason["code"], no_reason["field"]) == ("INVALID_INPUT", "reason")
    assert (stranger["__typename"], stranger["code"], stranger["field"]) == (
        "ConflictError",
        "IDENTITY_NOT_LINKED",
        "userIds",
    )
    assert "someone-else" not in stranger["message"]
    assert await gql.error_code(CONFIRM, variables, Role.AGENT) == "FORBIDDEN"

    confirmed = await gql.ok(
        CONFIRM, {**variables, "reason": "Owner confirmed by phone."}, Role.PRIVACY_OFFICER
    )
    assert confirmed["confirmRequestIdentities"]["__typename"] == "RightsRequest", confirmed
    seen = (await gql.ok(MATCHES, {"id": str(request.id)}, Role.PRIVACY_OFFICER))["rightsRequest"]
    matches = {(item["kind"], item["value"]): item for item in seen["identityMatches"]}
    assert (
        matches[("USER_ID", VICTIM.id)]["status"],
        matches[("USER_ID", VICTIM.id)]["reached"],
    ) == (
        "CONFIRMED",
        True,
    )
    done = await _execute(gql, str(request.id))

    assert done["status"] == "COMPLETED", done
    assert await Response.find_one({"user.id": VICTIM.id}) is None
    survey = await services.surveys.get("nps-main")
    blocked = await services.throttling.check(survey, VICTIM.id, Channel.IN_APP_WEB)
    assert blocked.blocks[0].rule is Rule.SUPPRESSED
    [entry] = [e for e in await services.audit.entries() if "identities_confirmed" in e.action]
    assert entry.subject_hmacs == services.suppressions.hmacs(user_id=VICTIM.id)
    text = json.dumps(entry.model_dump(mode="json"))
    assert VICTIM.id not in text and "phone" not in text
    assert (await services.audit.verify()).ok
