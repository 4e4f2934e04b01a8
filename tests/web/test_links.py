"""Survey links end to end through the ASGI app: created by an admin (GraphQL or the
CLI), answered once with plain forms, refused when expired or tampered with."""

from __future__ import annotations

import asyncio
import base64
import os
import re
import subprocess
import sys
from datetime import timedelta

import httpx
import pytest

from hub.clock import FrozenClock
from hub.models.activity import Display
from hub.models.common import Channel, Metric, Role
from hub.models.link import SurveyLink
from hub.models.response import Response
from hub.models.survey import SurveyText
from hub.services import Services
from hub.services.surveys.surveys import SurveyChanges
from hub.settings import Settings
from tests.factories import make_survey, person
from tests.support.graphql import GraphQLClient
from tests.support.mail import PUBLIC_URL

CREATE_LINK = """
mutation Link($survey: String!, $user: UserInput!, $days: Int) {
  createSurveyLink(surveyKey: $survey, user: $user, expiresInDays: $days) {
    __typename
    ... on SurveyLinkCreated { url surveyKey expiresAt }
    ... on UserError { message code field }
  }
}
"""

CHANNELS = [Channel.IN_APP_WEB, Channel.LINK, Channel.EMAIL]


def cli(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    """`feedback-hub` on the test's database and data folder (so the same secret)."""
    assert settings.mongodb_uri is not None
    env = dict(
        os.environ,
        HUB_MONGODB_URI=settings.mongodb_uri.get_secret_value(),
        HUB_DB_NAME=settings.db_name,
        HUB_DATA_DIR=str(settings.data_dir),
        HUB_PUBLIC_URL=PUBLIC_URL,
    )
    return subprocess.run(
        [sys.executable, "-m", "hub.server.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def path_of(url: str) -> str:
    assert url.startswith(PUBLIC_URL + "/s/"), url
    return url.removeprefix(PUBLIC_URL)


async def create_link(
    gql: GraphQLClient, user_id: str = "user-1", locale: str | None = None, days: int = 14
) -> str:
    data = await gql.ok(
        CREATE_LINK,
        {"survey": "nps-main", "user": {"id": user_id, "locale": locale}, "days": days},
        Role.ADMIN,
    )
    result = data["createSurveyLink"]
    assert result["__typename"] == "SurveyLinkCreated", result
    return path_of(result["url"])


async def test_a_link_is_answered_with_plain_forms_once(
    services: Services, gql: GraphQLClient, http: httpx.AsyncClient
) -> None:
    await make_survey(services, channels=CHANNELS)
    link = await create_link(gql)

    page = await http.get(link)
    assert page.status_code == 200
    assert "How likely are you to recommend us?" in page.text
    assert "<script" not in page.text
    assert page.headers["referrer-policy"] == "no-referrer"
    assert await Display.find(Display.channel == Channel.LINK).count() == 1

    scored = await http.post(link + "/score", data={"score": "9"})
    assert scored.status_code == 303 and scored.headers["location"] == link
    follow_up = await http.get(link)
    assert "What is the main reason for your score?" in follow_up.text

    commented = await http.post(link + "/comment", data={"comment": "Fast <b>support</b>"})
    assert commented.status_code == 303
    thanks = await http.get(link)
    assert "Thank you!" in thanks.text and 'name="score"' not in thanks.text

    again = await http.post(link + "/score", data={"score": "0"})
    assert again.status_code == 303
    responses = await Response.find_all().to_list()
    assert [(r.score, r.comment, r.channel) for r in responses] == [
        (9, "Fast <b>support</b>", Channel.LINK)
    ]
    assert "Thank you!" in (await http.get(link)).text
    assert await Display.find_all().count() == 1


async def test_control_characters_in_a_form_change_nothing(
    services: Services, gql: GraphQLClient, http: httpx.AsyncClient
) -> None:
    await make_survey(services, channels=CHANNELS)
    link = await create_link(gql)

    bad_score = await http.post(link + "/score", data={"score": "9\x00"})
    assert bad_score.status_code == 303
    assert await Response.find_all().count() == 0
    await http.post(link + "/score", data={"score": "9"})
    bad_comment = await http.post(link + "/comment", data={"comment": "ok\x1b[31m"})
    good_comment = await http.post(link + "/comment", data={"comment": "one\r\ntwo"})

    assert (bad_comment.status_code, good_comment.status_code) == (303, 303)
    response = await Response.find_one()
    assert response is not None and response.comment is not None
    assert "two" in response.comment and "\x1b" not in response.comment


async def test_skipping_the_follow_up_shows_the_thanks(
    services: Services, gql: GraphQLClient, http: httpx.AsyncClient
) -> None:
    await make_survey(services, channels=CHANNELS)
    link = await create_link(gql)

    await http.post(link + "/score", data={"score": "3"})
    await http.post(link + "/skip")

    page = await http.get(link)
    assert "Thank you!" in page.text and "<textarea" not in page.text
    response = await Response.find_one()
    assert response is not None and (response.score, response.comment) == (3, None)


async def test_declining_through_the_link(
    services: Services, gql: GraphQLClient, http: httpx.AsyncClient
) -> None:
    await make_survey(services, channels=CHANNELS)
    link = await create_link(gql)

    declined = await http.post(link + "/decline")
    assert declined.status_code == 303
    page = await http.get(link)
    assert "We will not ask you this now." in page.text
    await http.post(link + "/score", data={"score": "9"})

    assert await Response.find_all().count() == 0
    display = await Display.find_one()
    assert display is not None and display.declined_at is not None


async def test_an_expired_link_gets_a_clear_page_and_records_nothing(
    services: Services, gql: GraphQLClient, http: httpx.AsyncClient, clock: FrozenClock
) -> None:
    await make_survey(services, channels=CHANNELS)
    link = await create_link(gql, days=2)
    clock.advance(timedelta(days=2))

    page = await http.get(link)
    scored = await http.post(link + "/score", data={"score": "9"})
    one_click = await http.get(link + "/score/9")

    assert page.status_code == 410 and "This link has expired" in page.text
    assert scored.status_code == 410 and one_click.status_code == 410
    assert await Display.find_all().count() == 0
    assert await Response.find_all().count() == 0


async def test_a_tampered_link_gets_a_clear_page_and_records_nothing(
    services: Services, gql: GraphQLClient, http: httpx.AsyncClient
) -> None:
    await make_survey(services, channels=CHANNELS)
    link = await create_link(gql)
    token = link.removeprefix("/s/")
    payload, signature = token.rsplit(".", 1)
    readable = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    assert b"user-1" not in readable and b"nps-main" not in readable
    forged_signature = f"/s/{payload}.{'A' if signature[0] != 'A' else 'B'}{signature[1:]}"
    cut_short = link[:-3]
    other_person = await create_link(gql, user_id="user-2")
    swapped = f"/s/{other_person.removeprefix('/s/').rsplit('.', 1)[0]}.{signature}"

    for bad in (forged_signature, cut_short, swapped, "/s/nonsense"):
        page = await http.get(bad, headers={"Accept-Language": "es"})
        assert page.status_code == 404, bad
        assert "Este enlace no es válido" in page.text
        assert (await http.post(bad + "/score", data={"score": "5"})).status_code == 404

    assert await Display.find_all().count() == 0
    assert await Response.find_all().count() == 0


async def test_the_page_speaks_the_link_or_browser_language(
    services: Services, gql: GraphQLClient, http: httpx.AsyncClient
) -> None:
    await make_survey(services, channels=CHANNELS)
    spanish_link = await create_link(gql, user_id="user-1", locale="es-MX")
    browser_link = await create_link(gql, user_id="user-2")
    norwegian_link = await create_link(gql, user_id="user-3")

    spanish = await http.get(spanish_link)
    by_browser = await http.get(browser_link, headers={"Accept-Language": "fr;q=0.9, es;q=0.8"})
    fallback = await http.get(norwegian_link, headers={"Accept-Language": "nb-NO"})

    assert '<html lang="es">' in spanish.text
    assert "¿Qué probabilidad hay de que nos recomiendes?" in spanish.text
    assert "No, gracias" in spanish.text and "Nada probable" in spanish.text
    assert "¿Qué probabilidad hay de que nos recomiendes?" in by_browser.text
    # The survey has no Norwegian texts: the default locale, whole and consistent.
    assert '<html lang="en">' in fallback.text and "No thanks" in fallback.text


async def test_a_person_who_may_not_be_asked_now_gets_a_clear_page(
    services: Services, gql: GraphQLClient, http: httpx.AsyncClient
) -> None:
    await make_survey(services, channels=CHANNELS)
    first = await create_link(gql)
    await http.post(first + "/score", data={"score": "10"})
    second = await create_link(gql)

    page = await http.get(second)

    assert page.status_code == 409
    assert "Survey not available" in page.text
    assert "This survey is not available right now" in page.text
    assert await Display.find_all().count() == 1


async def test_the_not_available_page_speaks_the_links_language(
    services: Services, gql: GraphQLClient, http: httpx.AsyncClient
) -> None:
    await make_survey(services, channels=CHANNELS)
    first = await create_link(gql)
    await http.post(first + "/score", data={"score": "10"})
    spanish = await create_link(gql, locale="es")

    page = await http.get(spanish, headers={"Accept-Language": "en"})

    assert page.status_code == 409
    assert '<html lang="es">' in page.text
    assert "Encuesta no disponible" in page.text


async def test_link_creation_is_checked_and_admin_only(
    services: Services, gql: GraphQLClient
) -> None:
    await make_survey(services, channels=[Channel.IN_APP_WEB])
    await make_survey(services, key="nps-links", channels=CHANNELS)
    variables = {"survey": "nps-main", "user": {"id": "user-1"}, "days": 14}

    no_channel = (await gql.ok(CREATE_LINK, variables, Role.ADMIN))["createSurveyLink"]
    missing = (await gql.ok(CREATE_LINK, {**variables, "survey": "nope"}, Role.ADMIN))[
        "createSurveyLink"
    ]
    too_long = (
        await gql.ok(CREATE_LINK, {**variables, "survey": "nps-links", "days": 400}, Role.ADMIN)
    )["createSurveyLink"]
    forbidden = await gql.error_code(CREATE_LINK, variables, Role.WIDGET)

    assert no_channel["code"] == "CHANNEL_NOT_ENABLED"
    assert missing["code"] == "NOT_FOUND"
    assert forbidden == "FORBIDDEN"
    assert (too_long["code"], too_long["field"]) == ("INVALID_INPUT", "expiresInDays")
    assert await SurveyLink.find_all().count() == 0


@pytest.mark.slow
async def test_the_cli_creates_a_link_that_opens(
    services: Services, settings: Settings, http: httpx.AsyncClient
) -> None:
    await make_survey(services, channels=CHANNELS)
    user = person(7)
    created = cli(
        settings, "links", "create", "--survey", "nps-main", "--user", user.id,
        "--email", str(user.email), "--locale", "es", "--days", "3",
    )  # fmt: skip

    assert created.returncode == 0, created.stderr
    url = created.stdout.strip().splitlines()[-1]
    page = await http.get(path_of(url))
    assert page.status_code == 200 and "¿Qué probabilidad" in page.text
    link = await SurveyLink.find_one()
    assert link is not None and link.user.email == user.email
    assert (link.expires_at - link.created_at) == timedelta(days=3)


async def test_the_page_shows_the_metric_scale_and_refuses_scores_outside_it(
    services: Services, gql: GraphQLClient, http: httpx.AsyncClient
) -> None:
    await make_survey(services, channels=CHANNELS, metric=Metric.CSAT)
    link = await create_link(gql)

    page = await http.get(link)
    outside = await http.get(link + "/score/6")
    not_a_number = await http.post(link + "/score", data={"score": "five"})

    assert re.findall(r'name="score" value="(\d+)"', page.text) == ["1", "2", "3", "4", "5"]
    assert "Very dissatisfied" in page.text and "Very satisfied" in page.text
    assert outside.status_code == 303 and not_a_number.status_code == 303
    assert await Response.find_all().count() == 0
    assert 'name="score"' in (await http.get(link)).text


async def test_a_link_opened_many_times_at_once_gets_one_display(
    services: Services, gql: GraphQLClient, http: httpx.AsyncClient
) -> None:
    await make_survey(services, channels=CHANNELS)
    link = await create_link(gql)

    pages = await asyncio.gather(*(http.get(link) for _ in range(5)))

    assert [page.status_code for page in pages] == [200] * 5
    assert await Display.find_all().count() == 1
    stored = await SurveyLink.find_one()
    display = await Display.find_one()
    assert stored is not None and display is not None and stored.display_id == display.id


async def test_survey_texts_are_escaped_on_the_page(
    services: Services, gql: GraphQLClient, http: httpx.AsyncClient
) -> None:
    await make_survey(services, channels=CHANNELS)
    hostile = SurveyText(
        locale="en",
        question='<script>alert("x")</script> How likely?',
        follow_up="Why? <img src=x onerror=alert(1)>",
        thank_you="Thanks",
    )
    await services.surveys.update("nps-main", SurveyChanges(texts=[hostile]))
    link = await create_link(gql)

    page = await http.get(link)
    await http.post(link + "/score", data={"score": "5"})
    follow_up = await http.get(link)

    assert "<script>" not in page.text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; How likely?" in page.text
    assert "<img" not in follow_up.text and "&lt;img src=x" in follow_up.text
