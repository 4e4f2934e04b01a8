"""Personal data inside comments and notes: masked for roles that see masked data
(in `responses`, follow-ups and the CSV export), shown to privacy officers and admins
(and that is audited)."""

from __future__ import annotations

import csv
import io

import httpx
import pytest

from hub.models.common import Channel, Role, UserIdentity
from hub.models.followup import Actor, FollowUp
from hub.models.privacy import AuditEntry
from hub.services import Services
from tests.factories import context, make_survey
from tests.support.graphql import GraphQLClient, nodes

A = UserIdentity(id="cust-73301-q", username="zeta.lindqvist", email="zeta@example.org")
B = UserIdentity(id="cust-11842-b", username="Bjorn.Dahl", email="bjorn.dahl@example.net")
B_COMMENT = (
    "Ask cust-73301-q (ZETA.LINDQVIST), mail Zeta@Example.org or call +47 22 33 44 55. "
    "I am bjorn.dahl, reach me at bjorn.dahl@example.net."
)
B_MASKED = "Ask [user] ([user]), mail [email] or call [phone]. I am [user], reach me at [email]."
ORDINARY = "Great support from the team, user friendly and fast; 10 of 10 in 2026."

RESPONSES = """
query { responses(first: 10) { edges { node { id comment user { masked } } } } }
"""
FOLLOW_UPS = """
query {
  followUps(status: RESOLVED) { edges { node { resolution { note } response { comment } } } }
}
"""
NOTE = "Called cust-73301-q at 0047 22 33 44 55, wrote to zeta@example.org"


async def answer(services: Services, who: UserIdentity, score: int, comment: str) -> str:
    display = await services.responses.record_display(
        "nps-main", who, Channel.IN_APP_WEB, context(), "en"
    )
    response = await services.responses.submit_score(str(display.id), score)
    await services.responses.submit_comment(str(response.id), comment)
    return str(response.id)


@pytest.fixture
async def quoted(services: Services) -> str:
    """A answered plainly; B's comment quotes A's identity and B's own."""
    await make_survey(services, key="nps-main")
    await answer(services, A, 9, ORDINARY)
    return await answer(services, B, 3, B_COMMENT)


def comments(data: dict[str, object]) -> dict[str, str]:
    edges = data["responses"]["edges"]  # type: ignore[index]
    return {edge["node"]["id"]: edge["node"]["comment"] for edge in edges}


@pytest.mark.parametrize("role", [Role.VIEWER, Role.AGENT])
async def test_masked_roles_read_comments_without_anyone_s_identifiers(
    gql: GraphQLClient, quoted: str, role: Role
) -> None:
    data = await gql.ok(RESPONSES, role=role)

    shown = comments(data)
    assert shown[quoted] == B_MASKED
    assert ORDINARY in shown.values()  # ordinary words, numbers and years stay
    assert await AuditEntry.find(AuditEntry.action == "personal_data.reveal").count() == 0


@pytest.mark.parametrize("role", [Role.PRIVACY_OFFICER, Role.ADMIN])
async def test_privacy_officers_and_admins_read_the_comment_and_it_is_audited(
    gql: GraphQLClient, quoted: str, role: Role
) -> None:
    query = "query { responses(first: 10) { edges { node { id comment } } } }"
    data = await gql.ok(query, role=role)

    assert comments(data)[quoted] == B_COMMENT
    [entry] = await AuditEntry.find(AuditEntry.action == "personal_data.reveal").to_list()
    # Only the comment that held personal data counts as revealed.
    assert entry.target_ids == [quoted]
    assert entry.details == {"responses": 1}
    assert "zeta" not in entry.model_dump_json().lower()


async def test_a_follow_up_s_comment_and_note_are_masked_for_agents_not_admins(
    gql: GraphQLClient, services: Services, quoted: str
) -> None:
    follow_up = await FollowUp.find_one({"subject_id": B.id})
    assert follow_up is not None
    staff = Actor(id="slack:U0STAFF1", name="Ingrid")
    await services.follow_ups.claim(str(follow_up.id), staff)
    await services.follow_ups.resolve(str(follow_up.id), staff, NOTE, True)

    agent = await gql.ok(FOLLOW_UPS, role=Role.AGENT)
    admin = await gql.ok(FOLLOW_UPS, role=Role.ADMIN)

    assert nodes(agent["followUps"]) == [
        {
            "resolution": {"note": "Called [user] at [phone], wrote to [email]"},
            "response": {"comment": B_MASKED},
        }
    ]
    assert nodes(admin["followUps"]) == [
        {"resolution": {"note": NOTE}, "response": {"comment": B_COMMENT}}
    ]


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


async def test_the_csv_export_masks_comments_for_a_viewer_not_for_an_officer(
    http: httpx.AsyncClient, tokens: dict[Role, str], quoted: str
) -> None:
    async def export(role: Role) -> dict[str, str]:
        response = await http.get(
            "/exports/responses.csv", headers={"Authorization": f"Bearer {tokens[role]}"}
        )
        assert response.status_code == 200
        return {row["id"]: row["comment"] for row in rows(response.text)}

    viewer = await export(Role.VIEWER)
    officer = await export(Role.PRIVACY_OFFICER)

    assert viewer[quoted] == B_MASKED
    assert ORDINARY in viewer.values()
    assert officer[quoted] == B_COMMENT
