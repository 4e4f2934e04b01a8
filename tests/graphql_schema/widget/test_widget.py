"""The widget flow end to end through the ASGI app: eligibility → display → score →
comment, decline, and every expected failure as a typed error that changes nothing."""

from __future__ import annotations

import pytest

from hub.models.activity import Display
from hub.models.common import Channel, Metric, Role
from hub.models.response import Response
from hub.models.survey import SurveyStatus
from hub.services import Services
from tests.factories import context, make_survey, person
from tests.support.graphql import GraphQLClient
from tests.support.widget import (
    CONTEXT,
    RECORD_DISPLAY,
    SUBMIT_COMMENT,
    SUBMIT_SCORE,
    USER,
    comment,
    score,
    show,
)

ELIGIBILITY = """
query Eligibility($survey: String!, $user: UserInput!, $channel: Channel!) {
  surveyEligibility(surveyKey: $survey, user: $user, channel: $channel) {
    eligible reason nextEligibleAt
    blockedBy { rule until }
    survey { key metric locale question followUp thankYou scale { min max } }
  }
}
"""


DECLINE = """
mutation Decline($display: ID!) {
  declineSurvey(displayId: $display) {
    __typename
    ... on SurveyDeclined { displayId declinedAt }
    ... on UserError { message code field }
  }
}
"""

RECORD_LOGIN = """
mutation Login($user: UserInput!) {
  recordLogin(user: $user) {
    __typename
    ... on LoginRecorded { recordedAt }
    ... on UserError { message code field }
  }
}
"""


async def test_the_whole_widget_flow(services: Services, gql: GraphQLClient) -> None:
    # Given an active NPS survey and a person who has not seen it
    await make_survey(services)
    eligibility = await gql.ok(
        ELIGIBILITY, {"survey": "nps-main", "user": USER, "channel": "IN_APP_WEB"}, Role.WIDGET
    )
    assert eligibility["surveyEligibility"]["eligible"] is True
    assert eligibility["surveyEligibility"]["survey"]["scale"] == {"min": 0, "max": 10}

    # When they see it, score it and explain why
    shown = await show(gql)
    assert shown["__typename"] == "DisplayRecorded"
    scored = await score(gql, shown["displayId"], 9)
    assert scored["__typename"] == "ScoreSubmitted"
    assert scored["followUp"] == "What is the main reason for your score?"
    commented = await comment(gql, scored["responseId"], "  Fast invoicing.  ")
    assert commented == {
        "__typename": "CommentSubmitted",
        "responseId": scored["responseId"],
        "thankYou": "Thank you!",
    }

    # Then the response holds everything the seed document lists
    stored = await Response.find_one()
    assert stored is not None
    assert (stored.score, stored.comment, stored.metric) == (9, "Fast invoicing.", Metric.NPS)
    assert stored.product == "Accounting"
    assert (stored.customer.company, stored.customer.country) == ("Acme AS", "NO")
    assert (stored.user.id, stored.user.username, stored.user.email) == (
        "u-42",
        "kari",
        "kari@example.org",
    )
    assert stored.url == "https://app.example.org/invoices"
    assert (stored.channel, stored.locale) == (Channel.IN_APP_WEB, "en")

    # And the survey is not shown again while the answer rule blocks it
    again = await gql.ok(
        ELIGIBILITY, {"survey": "nps-main", "user": USER, "channel": "IN_APP_WEB"}, Role.WIDGET
    )
    assert again["surveyEligibility"]["eligible"] is False
    assert again["surveyEligibility"]["reason"] == "ANSWERED_RECENTLY"
    assert again["surveyEligibility"]["nextEligibleAt"] == "2026-05-30T10:00:00+00:00"


async def test_login_is_recorded(services: Services, gql: GraphQLClient) -> None:
    data = await gql.ok(RECORD_LOGIN, {"user": USER}, Role.WIDGET)

    assert data["recordLogin"] == {
        "__typename": "LoginRecorded",
        "recordedAt": "2026-03-01T10:00:00+00:00",
    }


async def test_unknown_locale_falls_back_to_the_default(
    services: Services, gql: GraphQLClient
) -> None:
    await make_survey(services)
    for locale, expected in [("es-MX", "es"), ("tlh", "en"), ("!!", "en"), (None, "en")]:
        user = dict(USER, id=f"user-{locale}", locale=locale)
        shown = await show(gql, user=user)
        assert shown["survey"]["locale"] == expected, locale


@pytest.mark.parametrize(
    ("metric", "bad", "good"),
    [(Metric.NPS, 11, 10), (Metric.NPS, -1, 0), (Metric.CES, 0, 1), (Metric.CSAT, 6, 5)],
)
async def test_a_score_outside_the_scale_is_refused(
    services: Services, gql: GraphQLClient, metric: Metric, bad: int, good: int
) -> None:
    await make_survey(services, key="survey", metric=metric)
    shown = await show(gql, "survey")

    refused = await score(gql, shown["displayId"], bad)

    assert refused["__typename"] == "ValidationError"
    assert (refused["code"], refused["field"]) == ("SCORE_OUT_OF_RANGE", "score")
    assert await Response.find_all().count() == 0
    assert (await score(gql, shown["displayId"], good))["__typename"] == "ScoreSubmitted"


async def test_unknown_inactive_and_wrong_channel_surveys(
    services: Services, gql: GraphQLClient
) -> None:
    await make_survey(services, key="paused", status=SurveyStatus.PAUSED)
    await make_survey(services, key="mobile-only", channels=[Channel.MOBILE])

    missing = await show(gql, "missing")
    paused = await show(gql, "paused")
    wrong_channel = await show(gql, "mobile-only")

    assert (missing["__typename"], missing["code"]) == ("NotFoundError", "NOT_FOUND")
    assert (paused["__typename"], paused["code"]) == ("ConflictError", "SURVEY_INACTIVE")
    assert wrong_channel["code"] == "CHANNEL_NOT_ENABLED"
    assert await Display.find_all().count() == 0


async def test_scoring_a_survey_paused_after_display_is_refused(
    services: Services, gql: GraphQLClient
) -> None:
    await make_survey(services)
    shown = await show(gql)
    await services.surveys.set_status("nps-main", SurveyStatus.PAUSED)

    refused = await score(gql, shown["displayId"], 5)

    assert refused["code"] == "SURVEY_INACTIVE"
    assert await Response.find_all().count() == 0


async def test_a_second_score_for_the_same_display_is_refused(
    services: Services, gql: GraphQLClient
) -> None:
    await make_survey(services)
    shown = await show(gql)
    first = await score(gql, shown["displayId"], 3)

    second = await score(gql, shown["displayId"], 10)

    assert (second["__typename"], second["code"]) == ("ConflictError", "ALREADY_ANSWERED")
    stored = await Response.find_all().to_list()
    assert [(r.score, str(r.id)) for r in stored] == [(3, first["responseId"])]


@pytest.mark.parametrize(
    ("text", "code"),
    [("", "COMMENT_EMPTY"), ("   \n\t ", "COMMENT_EMPTY"), ("x" * 5001, "COMMENT_TOO_LONG")],
)
async def test_bad_comments_are_refused(
    services: Services, gql: GraphQLClient, text: str, code: str
) -> None:
    await make_survey(services)
    scored = await score(gql, (await show(gql))["displayId"], 8)

    refused = await comment(gql, scored["responseId"], text)

    assert (refused["__typename"], refused["code"], refused["field"]) == (
        "ValidationError",
        code,
        "comment",
    )
    stored = await Response.find_one()
    assert stored is not None and stored.comment is None


async def test_a_comment_of_exactly_5000_characters_is_kept(
    services: Services, gql: GraphQLClient
) -> None:
    await make_survey(services)
    scored = await score(gql, (await show(gql))["displayId"], 8)

    assert (await comment(gql, scored["responseId"], "é" * 5000))["__typename"] == (
        "CommentSubmitted"
    )


async def test_a_comment_needs_a_score_and_only_one_is_kept(
    services: Services, gql: GraphQLClient
) -> None:
    await make_survey(services)
    shown = await show(gql)

    without_score = await comment(gql, shown["displayId"], "No score given")
    garbage_id = await comment(gql, "not-an-id", "No score given")
    scored = await score(gql, shown["displayId"], 8)
    await comment(gql, scored["responseId"], "First")
    second = await comment(gql, scored["responseId"], "Second")

    assert (without_score["__typename"], without_score["code"]) == ("NotFoundError", "NOT_FOUND")
    assert garbage_id["code"] == "NOT_FOUND"
    assert second["code"] == "ALREADY_COMMENTED"
    stored = await Response.find_one()
    assert stored is not None and stored.comment == "First"


async def test_malformed_identity_and_context_are_refused(
    services: Services, gql: GraphQLClient
) -> None:
    await make_survey(services)

    bad_email = await show(gql, user=dict(USER, email="kari@@example"))
    bad_country = await show(gql, context=dict(CONTEXT, country="XX"))
    long_country = await show(gql, context=dict(CONTEXT, country="NOR"))
    bad_url = await show(gql, context=dict(CONTEXT, url="javascript:alert(1)"))
    empty_id = await show(gql, user=dict(USER, id="   "))

    assert (bad_email["code"], bad_email["field"]) == ("INVALID_EMAIL", "user.email")
    assert (bad_country["code"], bad_country["field"]) == ("INVALID_COUNTRY", "context.country")
    assert long_country["code"] == "INVALID_COUNTRY"
    assert bad_url["code"] == "INVALID_URL"
    assert (empty_id["code"], empty_id["field"]) == ("INVALID_INPUT", "user.id")
    assert "kari" not in bad_email["message"]
    assert await Display.find_all().count() == 0


async def test_decline_then_score_is_refused(services: Services, gql: GraphQLClient) -> None:
    await make_survey(services)
    shown = await show(gql)

    declined = await gql.ok(DECLINE, {"display": shown["displayId"]}, Role.WIDGET)
    again = await gql.ok(DECLINE, {"display": shown["displayId"]}, Role.WIDGET)
    scored = await score(gql, shown["displayId"], 9)

    assert declined["declineSurvey"]["__typename"] == "SurveyDeclined"
    assert again["declineSurvey"]["code"] == "ALREADY_DECLINED"
    assert scored["code"] == "ALREADY_DECLINED"
    assert await Response.find_all().count() == 0
    eligibility = await gql.ok(
        ELIGIBILITY, {"survey": "nps-main", "user": USER, "channel": "IN_APP_WEB"}, Role.WIDGET
    )
    assert eligibility["surveyEligibility"]["reason"] == "DECLINED_RECENTLY"


async def test_a_display_while_ineligible_is_refused_with_the_rule(
    services: Services, gql: GraphQLClient
) -> None:
    await make_survey(services)
    await show(gql)

    refused = await show(gql)

    assert (refused["__typename"], refused["code"]) == ("ConflictError", "NOT_ELIGIBLE")
    assert "DISPLAYED_RECENTLY" in refused["message"]
    assert await Display.find_all().count() == 1


async def test_a_widget_key_is_limited_to_its_surveys(
    services: Services, gql: GraphQLClient
) -> None:
    await make_survey(services, key="mine")
    await make_survey(services, key="theirs")
    _, token = await services.keys.create(Role.WIDGET, "scoped", ["mine"])
    theirs = await services.responses.record_display(
        "theirs", person(7), Channel.IN_APP_WEB, context(), "en"
    )
    variables = {"survey": "theirs", "user": USER, "channel": "IN_APP_WEB", "context": CONTEXT}

    eligibility = await gql.raw(
        ELIGIBILITY, {k: variables[k] for k in ("survey", "user", "channel")}, token=token
    )
    display = await gql.raw(RECORD_DISPLAY, variables, token=token)
    score_other = await gql.raw(SUBMIT_SCORE, {"display": str(theirs.id), "score": 5}, token=token)
    own = await gql.raw(RECORD_DISPLAY, dict(variables, survey="mine"), token=token)

    assert eligibility["data"]["surveyEligibility"]["reason"] == "SURVEY_NOT_FOUND"
    assert eligibility["data"]["surveyEligibility"]["survey"] is None
    assert display["data"]["recordDisplay"]["code"] == "NOT_FOUND"
    assert score_other["data"]["submitScore"]["code"] == "NOT_FOUND"
    assert own["data"]["recordDisplay"]["__typename"] == "DisplayRecorded"


async def test_a_scoped_widget_key_cannot_comment_another_surveys_response(
    services: Services, gql: GraphQLClient
) -> None:
    await make_survey(services, key="mine")
    await make_survey(services, key="theirs")
    _, token = await services.keys.create(Role.WIDGET, "scoped", ["mine"])
    shown = await services.responses.record_display(
        "theirs", person(7), Channel.IN_APP_WEB, context(), "en"
    )
    theirs = await services.responses.submit_score(str(shown.id), 5)

    other = await gql.raw(
        SUBMIT_COMMENT, {"response": str(theirs.id), "comment": "Sneaky."}, token=token
    )
    missing = await gql.raw(
        SUBMIT_COMMENT, {"response": "0123456789abcdef01234567", "comment": "Lost."}, token=token
    )

    assert other["data"]["submitComment"]["code"] == "NOT_FOUND"
    assert missing["data"]["submitComment"]["code"] == "NOT_FOUND"
    stored = await Response.get(theirs.id)
    assert stored is not None and stored.comment is None
