"""suggestedThemes over GraphQL: who may ask, examples masked as in the responses
query, a rule that pastes into a theme, and typed errors."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest

from hub.models.common import Role
from hub.models.theme import ThemeRule
from hub.services import Services
from tests.support.clock import START
from tests.support.graphql import GraphQLClient
from tests.support.widget import Widget

SUGGESTED = """
query Suggested($surveys: [String!]!, $period: SuggestionPeriod!, $language: String) {
  suggestedThemes(surveyKeys: $surveys, period: $period, language: $language, limit: 5) {
    commentsRead sampled previousCommentsRead
    suggestions {
      phrase related language comments share metric averageScore
      previousShare pValue emerging
      rule { language terms exclusions }
      examples { comment user { masked email } }
    }
  }
}
"""

PERIOD = {
    "dateFrom": (START - timedelta(hours=1)).isoformat(),
    "dateTo": (START + timedelta(hours=1)).isoformat(),
}
COMMENTS = [
    "The invoice went to ola.nordmann@example.com instead",
    "Invoice wrong again, call me on +47 912 34 567",
    "My invoice is late, ask person1",
]


@pytest.fixture
async def answered(services: Services) -> None:
    widget = Widget(services)
    for score, text in zip((3, 5, 7), COMMENTS, strict=True):
        await widget.answer(score, text)


def variables(**fields: Any) -> dict[str, Any]:
    return {"surveys": ["nps-main"], "period": PERIOD, **fields}


async def suggestion(gql: GraphQLClient, role: Role, phrase: str) -> dict[str, Any]:
    data = await gql.ok(SUGGESTED, variables(), role)
    assert data["suggestedThemes"]["commentsRead"] == 3
    found: dict[str, Any] = next(
        s for s in data["suggestedThemes"]["suggestions"] if s["phrase"] == phrase
    )
    return found


async def test_examples_are_masked_for_viewers_as_in_the_responses_query(
    gql: GraphQLClient, answered: None
) -> None:
    invoice = await suggestion(gql, Role.VIEWER, "invoice")

    assert invoice["comments"] == 3
    assert (invoice["metric"], invoice["averageScore"]) == ("NPS", 5.0)
    texts = [example["comment"] for example in invoice["examples"]]
    assert len(texts) == 3
    joined = " ".join(texts)
    assert "ola.nordmann@example.com" not in joined and "912 34 567" not in joined
    assert "[email]" in joined and "[phone]" in joined and "[user]" in joined
    assert "person1" not in joined
    assert all(
        example["user"] == {"masked": True, "email": None} for example in invoice["examples"]
    )


async def test_examples_are_whole_for_admins_and_nothing_of_them_is_logged(
    gql: GraphQLClient, answered: None, captured: io.StringIO
) -> None:
    invoice = await suggestion(gql, Role.ADMIN, "invoice")

    logged = captured.getvalue()
    assert "nordmann" not in logged and "912 34" not in logged and "late" not in logged

    assert sorted(example["comment"] for example in invoice["examples"]) == sorted(COMMENTS)
    assert not any(example["user"]["masked"] for example in invoice["examples"])


async def test_the_rule_is_a_theme_rule_as_written(gql: GraphQLClient, answered: None) -> None:
    invoice = await suggestion(gql, Role.ADMIN, "invoice")

    assert invoice["rule"] == {"language": "en", "terms": ["invoice"], "exclusions": []}
    assert ThemeRule(**invoice["rule"]).terms == ["invoice"]
    # Nothing to compare with: no comment in the previous period.
    assert (invoice["previousShare"], invoice["pValue"], invoice["emerging"]) == (
        None,
        None,
        False,
    )


async def test_widget_keys_and_strangers_may_not_ask(gql: GraphQLClient, answered: None) -> None:
    assert await gql.error_code(SUGGESTED, variables(), Role.WIDGET) == "FORBIDDEN"
    assert await gql.error_code(SUGGESTED, variables()) == "UNAUTHENTICATED"


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"language": "de"}, "UNSUPPORTED_LANGUAGE"),
        ({"period": {"dateFrom": PERIOD["dateTo"], "dateTo": PERIOD["dateFrom"]}}, "INVALID_INPUT"),
        ({"period": {**PERIOD, "dateFrom": "2026-02-28T09:00:00"}}, "INVALID_INPUT"),
        ({"surveys": ["nps-missing"]}, "NOT_FOUND"),
    ],
)
async def test_bad_input_is_a_typed_error(
    gql: GraphQLClient, answered: None, fields: dict[str, Any], code: str
) -> None:
    assert await gql.error_code(SUGGESTED, variables(**fields), Role.ADMIN) == code
