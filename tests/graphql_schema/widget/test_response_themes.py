"""A comment's themes in `responses` and in the CSV export: each with its rule and the
comment's words that matched, those words masked as the comment is."""

from __future__ import annotations

import csv
import io
from typing import Any

import httpx
import pytest

from hub.clock import FrozenClock
from hub.models.common import Channel, Role, UserIdentity
from hub.models.privacy import AuditEntry
from hub.models.theme import ThemeTag
from hub.services import Services
from tests.factories import context, make_survey
from tests.support.graphql import GraphQLClient, nodes
from tests.support.theme_tags import store_tags

A = UserIdentity(id="cust-20417-t", username="tove.berg", email="tove@example.org")
B = UserIdentity(id="cust-20418-u", username="ulf.dahl", email="ulf@example.org")
# The tagger matched "kontor" inside the address: a word masked roles must not read.
COMMENT = "Wrong invoice again. Write to ap.kontor@acme.example"
MASKED = "Wrong invoice again. Write to [email]"
BILLING = ThemeTag(theme="billing", language="en", rule="invoice", words=["invoice"])
SUPPORT = ThemeTag(theme="support", language="en", rule="kontor", words=["kontor"])

RESPONSES = """
query {
  responses(first: 10) {
    edges { node { id comment themes { theme language rule words } } }
  }
}
"""


async def _answer(services: Services, who: UserIdentity, score: int, comment: str | None) -> str:
    display = await services.responses.record_display(
        "nps-main", who, Channel.IN_APP_WEB, context(), "en"
    )
    response = await services.responses.submit_score(str(display.id), score)
    if comment is not None:
        await services.responses.submit_comment(str(response.id), comment)
    return str(response.id)


@pytest.fixture
async def answered(services: Services, clock: FrozenClock) -> dict[str, str]:
    """A's comment was tagged billing and support; B's comment is not tagged (yet)."""
    await make_survey(services, key="nps-main")
    tagged = await _answer(services, A, 3, COMMENT)
    await store_tags(tagged, BILLING, SUPPORT)
    untagged = await _answer(services, B, 9, "Fine")
    return {"tagged": tagged, "untagged": untagged}


def _themes(data: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    return {node["id"]: node["themes"] for node in nodes(data["responses"])}


@pytest.mark.parametrize("role", [Role.PRIVACY_OFFICER, Role.ADMIN])
async def test_roles_that_see_personal_data_read_every_tag_with_its_words(
    gql: GraphQLClient, answered: dict[str, str], role: Role
) -> None:
    data = await gql.ok(RESPONSES, role=role)

    themes = _themes(data)
    assert themes[answered["tagged"]] == [
        {"theme": "billing", "language": "en", "rule": "invoice", "words": ["invoice"]},
        {"theme": "support", "language": "en", "rule": "kontor", "words": ["kontor"]},
    ]
    assert themes[answered["untagged"]] == []
    # A word from inside the address was shown: that is a reveal, audited as the comment's.
    [entry] = await AuditEntry.find(AuditEntry.action == "personal_data.reveal").to_list()
    assert entry.target_ids == [answered["tagged"]]


@pytest.mark.parametrize("role", [Role.VIEWER, Role.AGENT])
async def test_masked_roles_read_only_the_words_the_masked_comment_shows(
    gql: GraphQLClient, answered: dict[str, str], role: Role
) -> None:
    data = await gql.ok(RESPONSES, role=role)

    node = next(node for node in nodes(data["responses"]) if node["id"] == answered["tagged"])
    assert node["comment"] == MASKED
    assert node["themes"] == [
        {"theme": "billing", "language": "en", "rule": "invoice", "words": ["invoice"]},
        {"theme": "support", "language": "en", "rule": "kontor", "words": []},
    ]
    assert "acme" not in str(data)
    assert await AuditEntry.find(AuditEntry.action == "personal_data.reveal").count() == 0


async def test_a_tag_whose_words_the_masked_comment_shows_reveals_nothing(
    gql: GraphQLClient, services: Services
) -> None:
    await make_survey(services, key="nps-main")
    response_id = await _answer(services, A, 4, "The invoice is wrong")
    await store_tags(response_id, BILLING)

    data = await gql.ok(RESPONSES, role=Role.ADMIN)

    assert _themes(data)[response_id][0]["words"] == ["invoice"]
    assert await AuditEntry.find(AuditEntry.action == "personal_data.reveal").count() == 0


def _rows(text: str) -> dict[str, dict[str, str]]:
    return {row["id"]: row for row in csv.DictReader(io.StringIO(text))}


@pytest.mark.parametrize("role", [Role.VIEWER, Role.PRIVACY_OFFICER])
async def test_the_csv_export_has_a_themes_column(
    http: httpx.AsyncClient, tokens: dict[Role, str], answered: dict[str, str], role: Role
) -> None:
    download = await http.get(
        "/exports/responses.csv", headers={"Authorization": f"Bearer {tokens[role]}"}
    )

    assert download.status_code == 200
    header = download.text.splitlines()[0].split(",")
    assert header[header.index("comment") + 1] == "themes"
    rows = _rows(download.text)
    assert rows[answered["tagged"]]["themes"] == "billing|support"
    assert rows[answered["untagged"]]["themes"] == ""
    assert "kontor" not in download.text or role is Role.PRIVACY_OFFICER
