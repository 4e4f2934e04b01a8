"""ACCESS and PORTABILITY exports are deliveries, not archives: stored only until their
recipient downloads them or they expire, through single-use links, and withdrawn or
rewritten when an erasure or rectification changes what they hold."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Any

import httpx
from itsdangerous import URLSafeSerializer

from hub.clock import FrozenClock
from hub.db import Database
from hub.models.common import Channel, Role, UserIdentity
from hub.models.followup import Actor, FollowUp
from hub.models.privacy import (
    AuditActor,
    Corrections,
    RightsRequest,
    RightsRequestType,
    VerificationMethod,
)
from hub.models.response import Response
from hub.server.app import create_app
from hub.server_secret import server_secret
from hub.services import Services
from hub.services.privacy.registry import REDACTED
from hub.services.privacy.rights import NewRequest
from hub.settings import Settings
from tests.factories import context, make_survey
from tests.support.graphql import GraphQLClient

OFFICER = AuditActor(key_id="k-officer", role="privacy_officer", label="officer")
A = UserIdentity(id="subject-a-4711", username="annalund", email="anna.lund@example.org")
B = UserIdentity(id="subject-b-0815", username="bjorn", email="bjorn@example.net")
A_TRACES = ["subject-a-4711", "annalund", "anna.lund@example.org"]

LINK = """
mutation Link($id: ID!, $format: String!) {
  createExportLink(id: $id, format: $format) {
    __typename
    ... on ExportLink { url expiresAt }
    ... on UserError { code }
  }
}"""


async def _answer(services: Services, who: UserIdentity, score: int, comment: str) -> Response:
    display = await services.responses.record_display(
        "nps-main", who, Channel.IN_APP_WEB, context(), "en"
    )
    response = await services.responses.submit_score(str(display.id), score)
    return await services.responses.submit_comment(str(response.id), comment)


async def _given_a_and_b(services: Services, clock: FrozenClock) -> None:
    """A and B answer; B's comment quotes A, and the staff note on B's follow-up names A."""
    await make_survey(services, key="nps-main")
    await _answer(services, A, 2, "Slow invoices")
    clock.advance(timedelta(minutes=5))
    response = await _answer(services, B, 3, "Anna (anna.lund@example.org) said the same!")
    follow_up = await FollowUp.find_one(FollowUp.response_id == response.id)
    assert follow_up is not None
    await services.follow_ups.resolve(
        str(follow_up.id),
        Actor(id="slack:USTAFF", name="Staff"),
        "Called B; same issue as annalund, see Anna.Lund@Example.ORG",
        True,
    )


async def _executed(services: Services, kind: RightsRequestType, who: UserIdentity) -> str:
    request = await services.rights.file(
        NewRequest(kind, user_id=who.id), OFFICER, VerificationMethod.OTHER_MEANS, "ID seen"
    )
    await services.privacy.execute(str(request.id), OFFICER)
    return str(request.id)


async def _stored(database: Database) -> list[dict[str, Any]]:
    return [doc async for doc in database["privacy_exports"].find()]


def _traces(data: object, needles: list[str]) -> list[str]:
    text = json.dumps(data, default=str).lower()
    return [needle for needle in needles if needle.lower() in text]


async def _get(http: httpx.AsyncClient, url: str) -> httpx.Response:
    return await http.get(httpx.URL(url).path)


async def _downloads(services: Services) -> list[dict[str, Any]]:
    return [
        entry.details
        for entry in await services.audit.entries()
        if entry.action == "rights_request.export_downloaded"
    ]


async def test_the_export_is_not_kept_on_the_request_and_goes_once_downloaded(
    services: Services,
    clock: FrozenClock,
    gql: GraphQLClient,
    http: httpx.AsyncClient,
    database: Database,
    tokens: dict[Role, str],
) -> None:
    await _given_a_and_b(services, clock)
    request_id = await _executed(services, RightsRequestType.ACCESS, A)

    # The request keeps no copy; the delivery is stored on its own, until it expires
    raw = await database["rights_requests"].find_one({})
    assert raw is not None and "export" not in raw
    stored = await _stored(database)
    assert [doc["request_id"] for doc in stored] == [request_id]
    keep = services.settings.export_keep_hours
    assert stored[0]["expires_at"] == clock.now() + timedelta(hours=keep)

    link = (await gql.ok(LINK, {"id": request_id, "format": "json"}, Role.PRIVACY_OFFICER))[
        "createExportLink"
    ]
    first = await _get(http, link["url"])
    assert first.status_code == 200
    assert first.json()["data"]["responses"][0]["comment"] == "Slow invoices"

    # Delivered: purged, and the link does not work a second time
    assert await _stored(database) == []
    second = await _get(http, link["url"])
    assert second.status_code == 410
    assert second.json()["error"] == "EXPORT_GONE"
    assert not _traces(second.text, A_TRACES)
    again = await gql.ok(LINK, {"id": request_id, "format": "json"}, Role.PRIVACY_OFFICER)
    assert again["createExportLink"] == {"__typename": "ConflictError", "code": "EXPORT_GONE"}
    # The audit entry says who asked for the link: the officer's key id, no identity
    officer = await services.keys.authenticate(tokens[Role.PRIVACY_OFFICER])
    assert officer is not None
    assert await _downloads(services) == [
        {"format": "json", "link_for": "officer", "link_requested_by": officer.key_id}
    ]


async def test_an_export_link_made_before_tokens_had_one_expiry_field_still_works(
    services: Services,
    clock: FrozenClock,
    http: httpx.AsyncClient,
    settings: Settings,
) -> None:
    # Export links work up to HUB_EXPORT_LINK_HOURS (a week at most): those made by
    # the previous version named their expiry "expires".
    await _given_a_and_b(services, clock)
    request_id = await _executed(services, RightsRequestType.PORTABILITY, A)
    signer = URLSafeSerializer(server_secret(settings), salt="privacy-export")

    def before(fmt: str, hours: int) -> str:
        expires = int((clock.now() + timedelta(hours=hours)).timestamp())
        payload = {"request": request_id, "format": fmt, "expires": expires}
        return f"/exports/{signer.dumps({**payload, 'for': 'officer', 'by': 'k-officer'})}"

    in_time, run_out = before("json", 48), before("csv", 1)
    clock.advance(timedelta(hours=2))

    delivered = await http.get(in_time)
    expired = await http.get(run_out)

    assert delivered.status_code == 200
    assert delivered.json()["responses"][0]["comment"] == "Slow invoices"
    assert expired.status_code == 410 and expired.json()["error"] == "LINK_EXPIRED"
    assert (await http.get(in_time[:-2] + "xx")).status_code == 404
    assert await _downloads(services) == [
        {"format": "json", "link_for": "officer", "link_requested_by": "k-officer"}
    ]


async def test_an_export_nobody_downloads_is_purged_when_it_expires(
    services: Services,
    clock: FrozenClock,
    gql: GraphQLClient,
    http: httpx.AsyncClient,
    database: Database,
) -> None:
    await _given_a_and_b(services, clock)
    request_id = await _executed(services, RightsRequestType.ACCESS, A)
    link = (await gql.ok(LINK, {"id": request_id, "format": "json"}, Role.PRIVACY_OFFICER))[
        "createExportLink"
    ]

    # A link made later works no longer than the export is kept
    clock.advance(timedelta(hours=services.settings.export_keep_hours - 1))
    late = (await gql.ok(LINK, {"id": request_id, "format": "json"}, Role.PRIVACY_OFFICER))[
        "createExportLink"
    ]
    assert late["expiresAt"] == (clock.now() + timedelta(hours=1)).isoformat()
    clock.advance(timedelta(hours=1, seconds=1))

    # Expired: the download path refuses it itself (a TTL monitor may not have run)
    refused = await _get(http, late["url"])
    assert refused.status_code == 410
    assert (await _get(http, link["url"])).status_code == 410
    assert await _stored(database) == []
    gone = await gql.ok(LINK, {"id": request_id, "format": "json"}, Role.PRIVACY_OFFICER)
    assert gone["createExportLink"] == {"__typename": "ConflictError", "code": "EXPORT_GONE"}


async def test_the_purge_removes_expired_exports_and_the_store_has_a_ttl_index(
    services: Services, clock: FrozenClock, database: Database
) -> None:
    await _given_a_and_b(services, clock)
    await _executed(services, RightsRequestType.ACCESS, A)
    clock.advance(timedelta(hours=2))
    await _executed(services, RightsRequestType.PORTABILITY, B)

    clock.advance(timedelta(hours=services.settings.export_keep_hours - 1))
    assert await services.privacy.exports.purge_expired() == 1

    assert [doc["kind"] for doc in await _stored(database)] == ["PORTABILITY"]
    indexes = await database["privacy_exports"].index_information()
    assert any(
        index.get("expireAfterSeconds") == 0 and index["key"] == [("expires_at", 1)]
        for index in indexes.values()
    )


async def test_of_two_downloads_at_once_exactly_one_gets_the_data(
    services: Services,
    clock: FrozenClock,
    gql: GraphQLClient,
    http: httpx.AsyncClient,
) -> None:
    await _given_a_and_b(services, clock)
    request_id = await _executed(services, RightsRequestType.ACCESS, A)
    link = (await gql.ok(LINK, {"id": request_id, "format": "json"}, Role.PRIVACY_OFFICER))[
        "createExportLink"
    ]

    answers = await asyncio.gather(*(_get(http, link["url"]) for _ in range(5)))

    assert sorted(answer.status_code for answer in answers) == [200, 410, 410, 410, 410]
    assert len(await _downloads(services)) == 1


async def test_portability_delivers_each_format_once_then_purges(
    services: Services,
    clock: FrozenClock,
    gql: GraphQLClient,
    http: httpx.AsyncClient,
    database: Database,
) -> None:
    await _given_a_and_b(services, clock)
    request_id = await _executed(services, RightsRequestType.PORTABILITY, A)
    as_json = await gql.ok(LINK, {"id": request_id, "format": "json"}, Role.PRIVACY_OFFICER)
    as_csv = await gql.ok(LINK, {"id": request_id, "format": "csv"}, Role.PRIVACY_OFFICER)

    assert (await _get(http, as_json["createExportLink"]["url"])).status_code == 200
    # The CSV is still to be delivered: the export stays until it is
    assert [doc["formats"] for doc in await _stored(database)] == [["csv"]]
    assert (await _get(http, as_json["createExportLink"]["url"])).status_code == 410
    csv_download = await _get(http, as_csv["createExportLink"]["url"])
    assert csv_download.status_code == 200
    assert "Slow invoices" in csv_download.text
    assert await _stored(database) == []


async def test_an_access_export_has_no_csv(
    services: Services, clock: FrozenClock, gql: GraphQLClient
) -> None:
    await _given_a_and_b(services, clock)
    request_id = await _executed(services, RightsRequestType.ACCESS, A)

    refused = await gql.ok(LINK, {"id": request_id, "format": "csv"}, Role.PRIVACY_OFFICER)

    assert refused["createExportLink"] == {"__typename": "ValidationError", "code": "INVALID_INPUT"}


async def test_the_subject_opens_their_link_without_a_key_after_confirming(
    services: Services,
    clock: FrozenClock,
    http: httpx.AsyncClient,
    database: Database,
) -> None:
    await _given_a_and_b(services, clock)
    request_id = await _executed(services, RightsRequestType.ACCESS, A)

    url, expires = services.privacy.exports.link(request_id, "json", for_subject=True)
    assert expires == clock.now() + timedelta(hours=services.settings.export_link_hours)

    # A mail scanner following the link gets a page to confirm, and consumes nothing
    page = await _get(http, url)
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "<form" in page.text and not _traces(page.text, A_TRACES)
    assert len(await _stored(database)) == 1
    # The person confirms: the download, no API key needed
    download = await http.post(httpx.URL(url).path)
    assert download.status_code == 200
    assert download.json()["data"]["responses"][0]["comment"] == "Slow invoices"
    assert await _stored(database) == []
    assert await _downloads(services) == [
        {"format": "json", "link_for": "subject", "link_requested_by": "subject"}
    ]
    # Single use for the person too
    assert (await http.post(httpx.URL(url).path)).status_code == 410


async def test_a_forged_or_altered_link_opens_nothing(
    services: Services, clock: FrozenClock, http: httpx.AsyncClient, database: Database
) -> None:
    await _given_a_and_b(services, clock)
    request_id = await _executed(services, RightsRequestType.ACCESS, A)
    url, _ = services.privacy.exports.link(request_id, "json")

    assert (await _get(http, url + "x")).status_code == 404
    assert (await http.post(httpx.URL(url + "x").path)).status_code == 404
    assert len(await _stored(database)) == 1


async def test_erasing_a_rewrites_b_stored_export_and_withdraws_a_own(
    services: Services, clock: FrozenClock, database: Database
) -> None:
    await _given_a_and_b(services, clock)
    await _executed(services, RightsRequestType.ACCESS, A)
    b_request = await _executed(services, RightsRequestType.ACCESS, B)
    # B's export redacts A already; a copy stored before that (or a spelling it missed)
    # still quotes A, and the erasure must reach it too.
    await database["privacy_exports"].update_one(
        {"request_id": b_request},
        {
            "$set": {
                "data.data.responses.0.comment": "Anna (anna.lund@example.org) said the same!",
                "data.data.follow_ups.0.resolution.note": (
                    "Called B; same issue as annalund, see Anna.Lund@Example.ORG"
                ),
            }
        },
    )
    stored = await _stored(database)
    assert len(stored) == 2
    assert _traces([doc["data"] for doc in stored], A_TRACES) == A_TRACES

    erasure = await services.rights.file(
        NewRequest(RightsRequestType.ERASURE, user_id=A.id, email=A.email),
        OFFICER,
        VerificationMethod.OTHER_MEANS,
        "ID seen",
    )
    done = await services.privacy.execute(str(erasure.id), OFFICER)

    remaining = await _stored(database)
    assert [doc["request_id"] for doc in remaining] == [b_request]
    assert _traces(remaining, A_TRACES) == []
    b_data = remaining[0]["data"]["data"]
    assert b_data["responses"][0]["comment"] == f"Anna ({REDACTED}) said the same!"
    assert b_data["follow_ups"][0]["resolution"]["note"] == (
        f"Called B; same issue as {REDACTED}, see {REDACTED}"
    )
    assert done.outcome["exports"] == {"withdrawn": 1, "rewritten": 1}


async def test_rectifying_b_leaves_b_old_email_in_no_stored_export(
    services: Services, clock: FrozenClock, database: Database
) -> None:
    await _given_a_and_b(services, clock)
    await _executed(services, RightsRequestType.PORTABILITY, B)
    a_request = await _executed(services, RightsRequestType.ACCESS, A)
    # A's export quotes B's address in a note about A
    await database["privacy_exports"].update_one(
        {"request_id": a_request},
        {"$set": {"data.data.responses.0.comment": "Ask bjorn@example.net"}},
    )
    await _executed(services, RightsRequestType.ACCESS, B)

    rectification = await services.rights.file(
        NewRequest(
            RightsRequestType.RECTIFICATION,
            user_id=B.id,
            corrections=Corrections(email="bjorn@new.example"),
        ),
        OFFICER,
        VerificationMethod.OTHER_MEANS,
        "ID seen",
    )
    done = await services.privacy.execute(str(rectification.id), OFFICER)

    remaining = await _stored(database)
    assert [doc["request_id"] for doc in remaining] == [a_request]
    assert _traces(remaining, ["bjorn@example.net"]) == []
    assert done.outcome["exports"] == {"withdrawn": 2, "rewritten": 1}


async def test_exports_once_kept_on_requests_are_cleared_at_start(
    settings: Settings, services: Services, database: Database
) -> None:
    await database["rights_requests"].insert_one(
        {
            "type": "ACCESS",
            "status": "COMPLETED",
            "subject": {"user_id": A.id},
            "received_at": services.clock.now(),
            "due_on": "2026-04-01",
            "export": {"data": {"responses": [{"comment": "kept forever"}]}},
        }
    )

    application = create_app(settings, services.clock, services)
    async with application.router.lifespan_context(application):
        assert await database["rights_requests"].count_documents({"export": {"$exists": True}}) == 0
        assert await RightsRequest.find_all().count() == 1
        assert await services.privacy.exports.clean_up() == 0
