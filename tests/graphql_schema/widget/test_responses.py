"""Reading responses: masking by role, every filter, Relay pagination, and access."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from hub.clock import FrozenClock
from hub.models.common import Channel, Metric, Role
from hub.models.privacy import AuditEntry
from hub.services import Services
from tests.factories import context, make_survey, person
from tests.support.clock import START
from tests.support.graphql import GraphQLClient

RESPONSES = """
query Responses($filter: ResponseFilter, $first: Int!, $after: String) {
  responses(filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges {
      cursor
      node {
        id surveyKey metric score comment product channel locale answeredAt url
        customer { company country }
        user { id username email masked }
        survey { key metric }
      }
    }
  }
}
"""


async def answer(
    services: Services,
    survey_key: str,
    number: int,
    score: int,
    comment: str | None = None,
    channel: Channel = Channel.IN_APP_WEB,
    **where: Any,
) -> None:
    display = await services.responses.record_display(
        survey_key, person(number), channel, context(**where), "en"
    )
    response = await services.responses.submit_score(str(display.id), score)
    if comment:
        await services.responses.submit_comment(str(response.id), comment)


@pytest.fixture
async def answered(services: Services, clock: FrozenClock) -> None:
    """Five responses on two surveys, one day apart, oldest first."""
    await make_survey(services, key="nps-main", channels=[Channel.IN_APP_WEB, Channel.EMAIL])
    await make_survey(services, key="csat-help", metric=Metric.CSAT, product="Support")
    rows: list[tuple[str, int, int, str | None, Channel, str]] = [
        ("nps-main", 1, 10, "Love it", Channel.IN_APP_WEB, "NO"),
        ("nps-main", 2, 3, "Too slow", Channel.EMAIL, "SE"),
        ("nps-main", 3, 7, None, Channel.IN_APP_WEB, "NO"),
        ("csat-help", 4, 5, "Helpful", Channel.IN_APP_WEB, "DK"),
        ("csat-help", 5, 2, None, Channel.IN_APP_WEB, "NO"),
    ]
    for day, (key, number, score, comment, channel, country) in enumerate(rows):
        clock.set(START + timedelta(days=day))
        await answer(services, key, number, score, comment, channel, country=country)


async def scores(gql: GraphQLClient, filter: dict[str, Any], role: Role = Role.VIEWER) -> list[int]:
    data = await gql.ok(RESPONSES, {"filter": filter, "first": 50}, role)
    return [edge["node"]["score"] for edge in data["responses"]["edges"]]


@pytest.mark.usefixtures("answered")
@pytest.mark.parametrize("role", [Role.VIEWER, Role.AGENT])
async def test_personal_data_is_masked_for_viewers_and_agents(
    gql: GraphQLClient, role: Role
) -> None:
    data = await gql.ok(RESPONSES, {"first": 1}, role)
    node = data["responses"]["edges"][0]["node"]

    assert node["user"] == {"id": None, "username": None, "email": None, "masked": True}
    assert node["url"] is None
    assert node["customer"] == {"company": "Acme AS", "country": "NO"}


@pytest.mark.usefixtures("answered")
@pytest.mark.parametrize("role", [Role.PRIVACY_OFFICER, Role.ADMIN])
async def test_privacy_officers_and_admins_see_personal_data(
    gql: GraphQLClient, role: Role
) -> None:
    data = await gql.ok(RESPONSES, {"first": 1}, role)
    node = data["responses"]["edges"][0]["node"]

    assert node["user"] == {
        "id": "user-5",
        "username": "person5",
        "email": "person5@example.org",
        "masked": False,
    }
    assert node["url"] == "https://app.example.org/invoices"


@pytest.mark.usefixtures("answered")
async def test_each_filter(gql: GraphQLClient) -> None:
    assert await scores(gql, {}) == [2, 5, 7, 3, 10]
    assert await scores(gql, {"surveyKeys": ["csat-help"]}) == [2, 5]
    assert await scores(gql, {"metric": "NPS"}) == [7, 3, 10]
    assert await scores(gql, {"scoreMin": 3, "scoreMax": 7}) == [5, 7, 3]
    assert await scores(gql, {"product": "Support"}) == [2, 5]
    assert await scores(gql, {"country": "no"}) == [2, 7, 10]
    assert await scores(gql, {"channel": "EMAIL"}) == [3]
    assert await scores(gql, {"hasComment": True}) == [5, 3, 10]
    assert await scores(gql, {"hasComment": False}) == [2, 7]
    window = {
        "answeredFrom": (START + timedelta(days=1)).isoformat(),
        "answeredTo": (START + timedelta(days=3)).isoformat(),
    }
    assert await scores(gql, window) == [7, 3]
    assert await scores(gql, {"metric": "NPS", "country": "NO", "hasComment": True}) == [10]


@pytest.mark.usefixtures("answered")
async def test_filter_values_are_never_operators(gql: GraphQLClient) -> None:
    assert await scores(gql, {"product": '{"$ne": null}'}) == []
    assert await scores(gql, {"surveyKeys": ["$where", ".*"]}) == []
    body = await gql.raw(RESPONSES, {"filter": {"product": {"$ne": None}}, "first": 5}, Role.VIEWER)
    assert body["errors"] and body["data"] is None


@pytest.mark.usefixtures("answered")
async def test_pages_walk_every_response_once(gql: GraphQLClient) -> None:
    seen: list[int] = []
    after = None
    while True:
        data = await gql.ok(RESPONSES, {"first": 2, "after": after}, Role.VIEWER)
        page = data["responses"]
        assert page["totalCount"] == 5
        seen += [edge["node"]["score"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]

    assert seen == [2, 5, 7, 3, 10]


@pytest.mark.usefixtures("answered")
async def test_relations_resolve(gql: GraphQLClient) -> None:
    data = await gql.ok(RESPONSES, {"first": 5}, Role.VIEWER)

    surveys = {
        (e["node"]["surveyKey"], e["node"]["survey"]["metric"]) for e in data["responses"]["edges"]
    }
    assert surveys == {("nps-main", "NPS"), ("csat-help", "CSAT")}


@pytest.mark.parametrize(
    ("variables", "code"),
    [
        ({"first": 0}, "INVALID_INPUT"),
        ({"first": 101}, "INVALID_INPUT"),
        ({"first": 5, "after": "bm90IGEgY3Vyc29y"}, "INVALID_INPUT"),
        ({"first": 5, "filter": {"country": "Narnia"}}, "INVALID_COUNTRY"),
    ],
)
async def test_bad_arguments_are_clear_errors(
    gql: GraphQLClient, variables: dict[str, Any], code: str
) -> None:
    assert await gql.error_code(RESPONSES, variables, Role.VIEWER) == code


async def test_widget_keys_and_strangers_cannot_read_responses(
    services: Services, gql: GraphQLClient
) -> None:
    key, token = await services.keys.create(Role.VIEWER, "soon revoked")
    await services.keys.revoke(str(key.id))

    assert await gql.error_code(RESPONSES, {"first": 5}, Role.WIDGET) == "FORBIDDEN"
    assert await gql.error_code(RESPONSES, {"first": 5}) == "UNAUTHENTICATED"
    assert await gql.error_code(RESPONSES, {"first": 5}, token="fh_made-up") == "UNAUTHENTICATED"
    assert await gql.error_code(RESPONSES, {"first": 5}, token=token) == "UNAUTHENTICATED"


async def test_a_revoked_key_stops_working_even_after_it_was_used(
    services: Services, gql: GraphQLClient
) -> None:
    key, token = await services.keys.create(Role.VIEWER, "leaving")
    assert (await gql.raw(RESPONSES, {"first": 1}, token=token))["data"] is not None

    await services.keys.revoke(str(key.id))

    assert await gql.error_code(RESPONSES, {"first": 1}, token=token) == "UNAUTHENTICATED"


@pytest.mark.usefixtures("answered")
async def test_reading_unmasked_personal_data_is_audited(gql: GraphQLClient) -> None:
    await gql.ok(RESPONSES, {"first": 2}, Role.VIEWER)
    assert await AuditEntry.find(AuditEntry.action == "personal_data.reveal").count() == 0

    data = await gql.ok(RESPONSES, {"first": 2}, Role.PRIVACY_OFFICER)

    [entry] = await AuditEntry.find(AuditEntry.action == "personal_data.reveal").to_list()
    shown = sorted(edge["node"]["id"] for edge in data["responses"]["edges"])
    assert entry.target_ids == shown
    assert entry.actor.role == "privacy_officer"
    assert entry.details == {"responses": 2}
    assert "person5" not in entry.model_dump_json()
    assert "example.org" not in entry.model_dump_json()
