"""/console/surveys: readers see the surveys, admins create them; typed errors of the
API are shown next to their field and nothing is created."""

from __future__ import annotations

import pytest

from hub.models.common import Role
from hub.models.survey import Survey, SurveyStatus
from hub.services import Services
from tests.support.console import ConsoleClient, text_of
from tests.support.console_surveys import NEW_SURVEY, a_survey, signed_in_as, stored


@pytest.fixture
def slack_sign_in() -> bool:
    return False


async def test_a_viewer_sees_the_list_and_a_survey_but_no_form(
    console: ConsoleClient, services: Services
) -> None:
    await a_survey(services)
    await signed_in_as(console, services, Role.VIEWER)

    listed = await console.open("/console/surveys")
    text = text_of(listed)
    assert "nps-main" in text and "Accounting" in text and "NPS" in text
    assert "Active" in text and "Web app" in text and "en (default)" in text
    assert "New survey" not in text
    assert 'href="/console/members"' not in listed  # not an admin's section

    page = await console.open("/console/surveys/nps-main")
    assert "How likely are you to recommend us?" in text_of(page)
    assert "<form" not in page.replace('class="sign-out"', "").split("<main", 1)[1]
    assert "surveys.js" not in page


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/console/surveys/new", NEW_SURVEY),
        ("/console/surveys/nps-main/texts", {"locale": "en", "question": "Changed?"}),
        ("/console/surveys/nps-main/rules", {"daysAfterAnswer": "1"}),
        ("/console/surveys/nps-main/status", {"action": "archive", "confirm": "yes"}),
    ],
)
async def test_a_forged_post_of_a_viewer_is_refused_and_changes_nothing(
    console: ConsoleClient, services: Services, path: str, data: dict[str, str]
) -> None:
    survey = await a_survey(services)
    await signed_in_as(console, services, Role.VIEWER)
    await console.open("/console/surveys")

    answer = await console.post(path, data)

    assert answer.status_code == 403
    assert "Your role may not see or do this" in text_of(answer.text)
    after = await stored()
    assert after.model_dump() == survey.model_dump()
    assert await Survey.count() == 1
    assert (await console.get("/console/surveys/new")).status_code == 403


async def test_an_admin_creates_a_survey(console: ConsoleClient, services: Services) -> None:
    await signed_in_as(console, services, Role.ADMIN)
    form = await console.open("/console/surveys/new")
    assert 'for="survey-key"' in form and "surveys.js" in form

    created = await console.post("/console/surveys/new", NEW_SURVEY)

    assert created.status_code == 303
    assert created.headers["location"] == "/console/surveys/csat-onboarding?notice=surveys_created"
    survey = await stored("csat-onboarding")
    assert (survey.metric.value, survey.status, survey.product) == (
        "CSAT",
        SurveyStatus.ACTIVE,
        "Onboarding",
    )
    assert [channel.value for channel in survey.channels] == ["EMAIL", "LINK"]
    page = text_of(await console.open(created.headers["location"]))
    assert "The survey was created." in page
    assert "How satisfied are you with the help you got?" in page


async def test_creating_it_twice_shows_the_conflict_next_to_the_key(
    console: ConsoleClient, services: Services
) -> None:
    await signed_in_as(console, services, Role.ADMIN)
    await console.open("/console/surveys/new")
    first = await console.post("/console/surveys/new", NEW_SURVEY)
    await console.open("/console/surveys/new")

    again = await console.post("/console/surveys/new", NEW_SURVEY)

    assert first.status_code == 303
    assert again.status_code == 409
    assert (
        '<p class="field-problem" id="problem-key">A survey with this key exists.</p>' in again.text
    )
    assert 'aria-describedby="hint-key problem-key" aria-invalid="true"' in again.text
    assert "The survey was not created." in text_of(again.text)
    assert 'value="Onboarding"' in again.text  # what was typed is kept
    assert await Survey.count() == 1


@pytest.mark.parametrize(
    ("change", "field", "status"),
    [
        ({"key": "Not A Key"}, "key", 400),
        ({"question": "   "}, "question", 400),
        ({"followUp": ""}, "followUp", 400),
        ({"thankYou": ""}, "thankYou", 400),
        ({"locale": "not a locale!"}, "locale", 400),
        ({"channel_EMAIL": "", "channel_LINK": ""}, "channels", 400),
        ({"metric": "STARS"}, "metric", 400),
        ({"product": ""}, "product", 400),
    ],
)
async def test_bad_input_is_shown_next_to_its_field_and_nothing_is_created(
    console: ConsoleClient, services: Services, change: dict[str, str], field: str, status: int
) -> None:
    await signed_in_as(console, services, Role.ADMIN)
    await console.open("/console/surveys/new")
    data = {name: value for name, value in (NEW_SURVEY | change).items() if value}

    answer = await console.post("/console/surveys/new", data)

    assert answer.status_code == status, text_of(answer.text)
    assert f'id="problem-{field}"' in answer.text
    assert await Survey.count() == 0


async def test_a_post_without_its_csrf_token_is_refused(
    console: ConsoleClient, services: Services
) -> None:
    await signed_in_as(console, services, Role.ADMIN)
    await console.open("/console/surveys/new")

    answer = await console.post("/console/surveys/new", NEW_SURVEY, csrf="")

    assert answer.status_code == 403
    assert await Survey.count() == 0


async def test_an_unknown_survey_is_not_found(console: ConsoleClient, services: Services) -> None:
    await signed_in_as(console, services, Role.VIEWER)
    answer = await console.get("/console/surveys/nothing-here")
    assert answer.status_code == 404
    assert "There is no survey with this key." in text_of(answer.text)


@pytest.mark.parametrize("role", [Role.AGENT, Role.PRIVACY_OFFICER])
async def test_other_roles_read_surveys_but_may_not_create_one(
    console: ConsoleClient, services: Services, role: Role
) -> None:
    await a_survey(services)
    await signed_in_as(console, services, role)
    assert "nps-main" in text_of(await console.open("/console/surveys"))

    forged = await console.post("/console/surveys/new", NEW_SURVEY)

    assert forged.status_code == 403
    assert await Survey.count() == 1


async def test_a_post_from_an_ended_session_changes_nothing(
    console: ConsoleClient, services: Services
) -> None:
    await a_survey(services)
    key, token = await services.keys.create(Role.ADMIN, "Ada")
    await console.sign_in_with_key(token)
    await console.open("/console/surveys/nps-main")
    await services.keys.revoke(str(key.id))  # ends the key's sessions

    answer = await console.post("/console/surveys/nps-main/status", {"action": "pause"})

    assert answer.status_code == 401
    assert (await stored()).status is SurveyStatus.ACTIVE
