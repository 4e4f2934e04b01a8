"""/console/surveys/<key>: texts per locale with the banner's preview, contact rules
explained with their values, pausing, resuming and archiving (admins only)."""

from __future__ import annotations

import pytest

from hub.models.common import Role
from hub.models.survey import SurveyStatus
from hub.services import Services
from tests.support.console import ConsoleClient, text_of
from tests.support.console_surveys import a_survey, signed_in_as, stored

SPANISH = {
    "locale": "es",
    "question": "¿Nos recomendarías?",
    "followUp": "¿Por qué?",
    "thankYou": "¡Gracias!",
}
RULES = {
    "daysAfterAnswer": "60",
    "daysAfterDecline": "1",
    "maxDisplaysWithoutAnswer": "2",
    "minDaysBetweenDisplays": "0",
    "samplingPercent": "25",
    "minLogins": "3",
    "minDaysSinceFirstSeen": "",
}


@pytest.fixture
def slack_sign_in() -> bool:
    return False


async def test_the_preview_shows_the_texts_and_the_scale_of_the_locale(
    console: ConsoleClient, services: Services
) -> None:
    await a_survey(services)
    await signed_in_as(console, services, Role.VIEWER)

    page = await console.open("/console/surveys/nps-main")

    preview = page.split('id="banner"', 1)[1].split("</section>", 1)[0]
    assert "How likely are you to recommend us?" in preview
    assert "What is the main reason?" in preview and "Thanks a lot!" in preview
    assert [f"<li>{n}</li>" in preview for n in range(11)] == [True] * 11
    assert "Not at all likely" in preview and "Extremely likely" in preview


async def test_an_admin_adds_a_locale_and_its_preview_speaks_it(
    console: ConsoleClient, services: Services
) -> None:
    await a_survey(services)
    await signed_in_as(console, services, Role.ADMIN)
    page = await console.open("/console/surveys/nps-main?locale=new")
    assert "New language" in text_of(page) and "surveys.js" in page

    saved = await console.post("/console/surveys/nps-main/texts", SPANISH)

    assert saved.status_code == 303
    assert saved.headers["location"] == (
        "/console/surveys/nps-main?locale=es&notice=surveys_texts_saved"
    )
    survey = await stored()
    assert [text.locale for text in survey.texts] == ["en", "es"]
    page = await console.open(saved.headers["location"])
    preview = page.split('id="banner"', 1)[1].split("</section>", 1)[0]
    assert "¿Nos recomendarías?" in preview
    assert "Nada probable" in preview and "Muy probable" in preview
    assert 'lang="es"' in page


async def test_an_admin_edits_a_locale_in_place(console: ConsoleClient, services: Services) -> None:
    await a_survey(services)
    await signed_in_as(console, services, Role.ADMIN)
    await console.open("/console/surveys/nps-main?locale=en")

    saved = await console.post(
        "/console/surveys/nps-main/texts",
        {
            "locale": "EN",
            "question": "Would you recommend us?",
            "followUp": "Why?",
            "thankYou": "Thanks",
        },
    )

    assert saved.status_code == 303
    survey = await stored()
    assert [(text.locale, text.question) for text in survey.texts] == [
        ("en", "Would you recommend us?")
    ]


async def test_bad_texts_are_shown_next_to_their_field_with_what_was_typed_in_the_preview(
    console: ConsoleClient, services: Services
) -> None:
    before = await a_survey(services)
    await signed_in_as(console, services, Role.ADMIN)
    await console.open("/console/surveys/nps-main?locale=new")

    answer = await console.post("/console/surveys/nps-main/texts", SPANISH | {"followUp": "  "})

    assert answer.status_code == 400
    assert 'id="problem-followUp"' in answer.text
    assert "¿Nos recomendarías?" in answer.text.split('id="banner"', 1)[1]
    assert (await stored()).texts == before.texts


async def test_an_unknown_locale_in_the_address_is_a_bad_request(
    console: ConsoleClient, services: Services
) -> None:
    await a_survey(services)
    await signed_in_as(console, services, Role.VIEWER)
    answer = await console.get("/console/surveys/nps-main?locale=fr")
    assert answer.status_code == 400
    assert "no texts in that language" in text_of(answer.text)


async def test_the_contact_rules_are_explained_with_their_values(
    console: ConsoleClient, services: Services
) -> None:
    await a_survey(services)
    await signed_in_as(console, services, Role.ADMIN)
    form = await console.open("/console/surveys/nps-main")
    assert 'name="samplingPercent" inputmode="decimal" size="6" value="100"' in form
    page = text_of(form)
    assert "A person who answered is not asked again for 90 days." in page
    assert "Off: a person may be asked from their first login." in page
    assert "Everyone may be asked." in page

    saved = await console.post("/console/surveys/nps-main/rules", RULES)

    assert saved.status_code == 303
    rules = (await stored()).contact_rules
    assert (rules.days_after_answer, rules.sampling_percent, rules.min_logins) == (60, 25.0, 3)
    assert rules.min_days_since_first_seen is None
    page = text_of(await console.open(saved.headers["location"]))
    assert "The contact rules were saved." in page
    assert "A person who answered is not asked again for 60 days." in page
    assert "A person who said no thanks is not asked again for 1 day." in page
    assert "Shown 2 times in a row without an answer counts as a no thanks." in page
    assert "The survey may be shown again the same day." in page
    assert "25 % of people may be asked; the same people each time." in page
    assert "A person is asked only after logging in at least 3 times." in page


async def test_the_explanations_speak_the_browsers_language(
    console: ConsoleClient, services: Services
) -> None:
    await a_survey(services)
    await signed_in_as(console, services, Role.VIEWER)
    console.http.headers["accept-language"] = "nb-NO"
    page = text_of(await console.open("/console/surveys/nps-main"))
    assert "Den som har svart, blir ikke spurt igjen på 90 dager." in page


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("daysAfterAnswer", "ninety", "Enter a number."),
        ("daysAfterAnswer", "-1", "Enter a whole number of at least 0."),
        ("maxDisplaysWithoutAnswer", "0", "Enter a whole number of at least 1."),
        ("samplingPercent", "150", "Enter a number from 0 to 100."),
        ("minLogins", "0", "Enter a whole number of at least 1."),
        ("minDaysBetweenDisplays", "1.5", "Enter a number."),
    ],
)
async def test_bad_rules_are_shown_next_to_their_field_and_nothing_changes(
    console: ConsoleClient, services: Services, field: str, value: str, message: str
) -> None:
    before = await a_survey(services)
    await signed_in_as(console, services, Role.ADMIN)
    await console.open("/console/surveys/nps-main")

    answer = await console.post("/console/surveys/nps-main/rules", RULES | {field: value})

    assert answer.status_code == 400
    assert f'<p class="field-problem" id="problem-{field}">{message}</p>' in answer.text
    assert f'name="{field}"' in answer.text and f'value="{value}"' in answer.text
    assert (await stored()).contact_rules == before.contact_rules


async def test_pause_resume_and_archive_with_confirmation(
    console: ConsoleClient, services: Services
) -> None:
    await a_survey(services)
    await signed_in_as(console, services, Role.ADMIN)
    await console.open("/console/surveys/nps-main")

    paused = await console.post("/console/surveys/nps-main/status", {"action": "pause"})
    assert paused.status_code == 303
    assert (await stored()).status is SurveyStatus.PAUSED
    page = await console.open(paused.headers["location"])
    assert "Paused" in text_of(page) and 'value="activate"' in page

    resumed = await console.post("/console/surveys/nps-main/status", {"action": "activate"})
    assert resumed.status_code == 303
    assert (await stored()).status is SurveyStatus.ACTIVE

    await console.open("/console/surveys/nps-main")
    unconfirmed = await console.post("/console/surveys/nps-main/status", {"action": "archive"})
    assert unconfirmed.status_code == 400
    assert 'id="problem-confirm"' in unconfirmed.text
    assert (await stored()).status is SurveyStatus.ACTIVE

    archived = await console.post(
        "/console/surveys/nps-main/status", {"action": "archive", "confirm": "yes"}
    )
    assert archived.status_code == 303
    assert (await stored()).status is SurveyStatus.ARCHIVED
    page = await console.open("/console/surveys/nps-main")
    assert "This survey is archived" in text_of(page)
    assert 'value="activate"' not in page

    reopened = await console.post("/console/surveys/nps-main/status", {"action": "activate"})
    assert reopened.status_code == 409
    assert "An archived survey cannot be reopened." in text_of(reopened.text)
    assert (await stored()).status is SurveyStatus.ARCHIVED


async def test_an_unknown_status_action_is_a_bad_request(
    console: ConsoleClient, services: Services
) -> None:
    await a_survey(services)
    await signed_in_as(console, services, Role.ADMIN)
    await console.open("/console/surveys/nps-main")
    answer = await console.post("/console/surveys/nps-main/status", {"action": "delete"})
    assert answer.status_code == 400
    assert (await stored()).status is SurveyStatus.ACTIVE
