"""ACCESS and PORTABILITY exports, downloaded by the officer through expiring links."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import httpx

from hub.clock import FrozenClock
from hub.models.common import Channel, Role, UserIdentity
from hub.models.followup import FollowUp, PostKind
from hub.services import Services
from tests.factories import context, make_survey
from tests.support.graphql import GraphQLClient

A = UserIdentity(id="subject-a-4711", username="annalund", email="anna.lund@example.org")
B = UserIdentity(id="subject-b-0815", username="bjorn", email="bjorn@example.net")

FILE = """
mutation File($input: FileRightsRequestInput!) {
  fileRightsRequest(input: $input) { ... on RightsRequest { id } }
}"""
EXECUTE = """
mutation Execute($id: ID!) {
  executeRightsRequest(id: $id) {
    ... on RightsRequest { status outcome { step collection count } }
  }
}"""
LINK = """
mutation Link($id: ID!, $format: String!) {
  createExportLink(id: $id, format: $format) {
    __typename
    ... on ExportLink { url expiresAt }
    ... on UserError { code }
  }
}"""


async def _given_a_and_b(services: Services, clock: FrozenClock) -> None:
    """A and B answer; A's follow-up was posted to one Slack channel."""
    await make_survey(services, key="nps-main")
    await services.routing.set_defaults("CROUTED", None)
    await services.responses.record_login(A)
    for who, score, comment in ((A, 4, "Too slow"), (B, 9, "Fine")):
        display = await services.responses.record_display(
            "nps-main", who, Channel.IN_APP_WEB, context(), "en"
        )
        response = await services.responses.submit_score(str(display.id), score)
        await services.responses.submit_comment(str(response.id), comment)
        follow_up = await FollowUp.find_one(FollowUp.response_id == response.id)
        assert follow_up is not None
        if who is A:
            await services.follow_ups.record_post(
                str(follow_up.id), "CROUTED", "1.0001", PostKind.ROUTED
            )
        clock.advance(timedelta(minutes=1))


async def _executed(gql: GraphQLClient, type_: str) -> str:
    filed = await gql.ok(
        FILE,
        {"input": {"type": type_, "userId": A.id, "verificationNote": "Known caller"}},
        Role.PRIVACY_OFFICER,
    )
    request_id: str = filed["fileRightsRequest"]["id"]
    done = await gql.ok(EXECUTE, {"id": request_id}, Role.PRIVACY_OFFICER)
    assert done["executeRightsRequest"]["status"] == "COMPLETED"
    return request_id


async def _download(http: httpx.AsyncClient, url: str) -> httpx.Response:
    return await http.get(httpx.URL(url).path)


async def test_access_export_holds_everything_and_the_processing_information(
    services: Services, clock: FrozenClock, gql: GraphQLClient, http: httpx.AsyncClient
) -> None:
    await _given_a_and_b(services, clock)
    request_id = await _executed(gql, "ACCESS")

    link = (await gql.ok(LINK, {"id": request_id, "format": "json"}, Role.PRIVACY_OFFICER))[
        "createExportLink"
    ]
    download = await _download(http, link["url"])

    assert download.status_code == 200
    assert download.headers["cache-control"] == "no-store"
    export = download.json()
    data = export["data"]
    assert [item["comment"] for item in data["responses"]] == ["Too slow"]
    assert len(data["displays"]) == 1 and len(data["logins"]) == 1
    assert len(data["people"]) == 1 and len(data["follow_ups"]) == 1
    assert export["slack_channels"] == ["CROUTED"]
    assert "bjorn" not in download.text  # only the person's own data
    processing = export["processing"]
    assert processing["legal_basis"].startswith("legitimate interest")
    assert any("Slack workspace" in item for item in processing["recipients"])
    assert {"identifier", "contact", "feedback", "usage"} <= set(processing["categories"])
    assert processing["purposes"] and processing["retention"] and processing["source"]
    actions = [entry.action for entry in await services.audit.entries()]
    assert actions[:2] == ["rights_request.export_downloaded", "rights_request.export_link"]

    # The link expires
    clock.advance(timedelta(hours=25))
    assert (await _download(http, link["url"])).status_code == 410
    assert (await _download(http, link["url"] + "x")).status_code == 404


async def test_portability_as_json_and_csv(
    services: Services, clock: FrozenClock, gql: GraphQLClient, http: httpx.AsyncClient
) -> None:
    await _given_a_and_b(services, clock)
    request_id = await _executed(gql, "PORTABILITY")

    as_json = await gql.ok(LINK, {"id": request_id, "format": "json"}, Role.PRIVACY_OFFICER)
    as_csv = await gql.ok(LINK, {"id": request_id, "format": "csv"}, Role.PRIVACY_OFFICER)
    rows_json = (await _download(http, as_json["createExportLink"]["url"])).json()["responses"]
    text = (await _download(http, as_csv["createExportLink"]["url"])).text

    assert [(row["survey_key"], row["score"], row["comment"]) for row in rows_json] == [
        ("nps-main", 4, "Too slow")
    ]
    rows_csv = list(csv.DictReader(io.StringIO(text)))
    assert [(row["survey_key"], row["score"], row["comment"]) for row in rows_csv] == [
        ("nps-main", "4", "Too slow")
    ]
    assert rows_csv[0]["answered_at"].startswith("2026-03-01")


async def test_no_link_before_execution(gql: GraphQLClient) -> None:
    filed = await gql.ok(
        FILE,
        {"input": {"type": "ACCESS", "userId": A.id, "verificationNote": "Known caller"}},
        Role.PRIVACY_OFFICER,
    )
    refused = await gql.ok(
        LINK, {"id": filed["fileRightsRequest"]["id"], "format": "json"}, Role.PRIVACY_OFFICER
    )
    assert refused["createExportLink"] == {"__typename": "ConflictError", "code": "NOT_EXECUTABLE"}


RESPONSES = "{ responses(first: 10) { edges { node { user { id masked } url } } } }"


async def test_a_restricted_persons_responses_are_shown_to_privacy_officers_only(
    services: Services, clock: FrozenClock, gql: GraphQLClient
) -> None:
    await _given_a_and_b(services, clock)
    await _executed(gql, "RESTRICTION")

    def people(data: dict) -> list:  # type: ignore[type-arg]
        return sorted(
            (edge["node"]["user"]["id"] or "", edge["node"]["user"]["masked"])
            for edge in data["responses"]["edges"]
        )

    as_admin = people(await gql.ok(RESPONSES, role=Role.ADMIN))
    as_officer = people(await gql.ok(RESPONSES, role=Role.PRIVACY_OFFICER))

    assert as_admin == [(B.id, False)]  # not even masked: left out
    assert as_officer == [(A.id, False), (B.id, False)]
