"""The public rights pages speak the person's language: the one asked for with
`?lang=`, kept by the form when sent, else the browser's, else English. The request
they file is in that language too, so its e-mails are."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import httpx
import pytest

from hub import i18n
from hub.clock import FrozenClock
from hub.i18n_rights import MESSAGE_STRINGS
from hub.i18n_rights_pages import PAGE_STRINGS
from hub.models.privacy import RightsRequest
from hub.services import Services
from tests.support.mail import Mailbox, links_in, path

ADDRESS = "lucia.garcia@example.org"
SPANISH = PAGE_STRINGS["es"]


def _lang(page: httpx.Response) -> str:
    found = re.search(r'<html lang="([^"]+)"', page.text)
    assert found is not None
    return found.group(1)


def _text(page: httpx.Response) -> str:
    return html.unescape(page.text)


def test_every_language_of_the_widget_has_every_text_of_the_pages() -> None:
    assert set(PAGE_STRINGS) == set(i18n.STRINGS)
    for language, texts in PAGE_STRINGS.items():
        assert set(texts) == set(PAGE_STRINGS["en"]), language
        assert all(text.strip() for text in texts.values()), language


@pytest.mark.parametrize("language", sorted(PAGE_STRINGS))
async def test_the_form_is_shown_in_each_language(http: httpx.AsyncClient, language: str) -> None:
    page = await http.get("/privacy/request", params={"lang": language})

    texts = PAGE_STRINGS[language]
    assert page.status_code == 200 and _lang(page) == language
    shown = _text(page)
    for key in ("title", "intro", "what", "type_ERASURE", "type_OBJECTION", "email", "send"):
        assert texts[key] in shown, key
    assert f'name="lang" value="{language}"' in page.text


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("es-ES,es;q=0.9,en;q=0.5", "es"),
        ("ja, nl;q=0.4", "nl"),  # the first the pages speak
        ("no-NO", "nb"),
        ("ja", "en"),
        ("", "en"),
    ],
)
async def test_the_browser_language_is_used_when_none_is_asked_for(
    http: httpx.AsyncClient, header: str, expected: str
) -> None:
    page = await http.get("/privacy/request", headers={"Accept-Language": header})

    assert _lang(page) == expected
    assert PAGE_STRINGS[expected]["title"] in _text(page)


async def test_an_asked_language_wins_over_the_browser_and_an_unknown_one_does_not(
    http: httpx.AsyncClient,
) -> None:
    asked = await http.get("/privacy/request?lang=fi", headers={"Accept-Language": "sv"})
    unknown = await http.get("/privacy/request?lang=xx", headers={"Accept-Language": "sv"})

    assert (_lang(asked), _lang(unknown)) == ("fi", "sv")


async def test_a_spanish_request_is_answered_and_mailed_in_spanish(
    services: Services, http: httpx.AsyncClient, mailbox: Mailbox, clock: FrozenClock
) -> None:
    # A bad address is refused in the form's language, and nothing is filed
    refused = await http.post(
        "/privacy/request",
        data={"lang": "es", "type": "ERASURE", "email": "no es una dirección"},
        headers={"Accept-Language": "en"},
    )
    assert refused.status_code == 400 and _lang(refused) == "es"
    assert SPANISH["error_email"] in _text(refused)
    assert "no es una dirección" in _text(refused)  # what was typed is kept
    unchosen = await http.post("/privacy/request", data={"lang": "es", "email": ADDRESS})
    assert unchosen.status_code == 400 and SPANISH["error_type"] in _text(unchosen)
    assert await RightsRequest.count() == 0

    # A good one is thanked in Spanish, filed in Spanish, and its link mailed in Spanish
    sent = await http.post(
        "/privacy/request", data={"lang": "es", "type": "ERASURE", "email": ADDRESS}
    )
    assert sent.status_code == 200 and SPANISH["sent"] in _text(sent)
    [request] = await RightsRequest.find_all().to_list()
    assert request.locale == "es"
    await services.dispatcher.run_once()
    [message] = mailbox.to(ADDRESS)
    assert message["Subject"] == MESSAGE_STRINGS["es"]["subject_VERIFICATION"]
    [link] = [url for url in links_in(message) if "/privacy/verify/" in url]

    # The link's pages speak the browser's language, their errors too
    spanish = {"Accept-Language": "es-ES,es;q=0.9"}
    asked = await http.get(path(link), headers=spanish)
    assert _lang(asked) == "es" and SPANISH["confirm"] in _text(asked)
    base, _token = path(link).rsplit("/", 1)
    for attempt in ("garbage", "rubbish"):
        wrong = await http.post(f"{base}/{attempt}", headers=spanish)
        assert wrong.status_code == 400 and SPANISH["link_invalid"] in _text(wrong)
    clock.advance(timedelta(hours=24, seconds=1))
    expired = await http.post(path(link), headers=spanish)  # the third try: locks it
    assert expired.status_code == 400 and SPANISH["link_expired"] in _text(expired)
    clock.advance(timedelta(hours=-2))
    locked = await http.post(path(link), headers=spanish)
    assert locked.status_code == 403 and SPANISH["locked"] in _text(locked)


async def test_a_request_from_a_browser_the_pages_do_not_speak_has_no_language(
    http: httpx.AsyncClient,
) -> None:
    form = await http.get("/privacy/request", headers={"Accept-Language": "ja"})
    assert _lang(form) == "en" and 'name="lang"' not in form.text  # nothing to keep

    sent = await http.post(
        "/privacy/request",
        data={"type": "ACCESS", "email": ADDRESS},
        headers={"Accept-Language": "ja"},
    )

    assert sent.status_code == 200 and _lang(sent) == "en"
    [request] = await RightsRequest.find_all().to_list()
    assert request.locale is None  # its messages go out in the default language


async def test_fields_named_like_the_pages_own_values_change_nothing(
    http: httpx.AsyncClient,
) -> None:
    hostile = {"status": "500", "error": "x", "asked": "es", "values": "x", "lang": "es"}

    unchosen = await http.post("/privacy/request", data={"email": ADDRESS, **hostile})
    bad = await http.post("/privacy/request", data={"type": "ACCESS", "email": "x", **hostile})

    assert (unchosen.status_code, bad.status_code) == (400, 400)
    assert SPANISH["error_type"] in _text(unchosen)
    assert SPANISH["error_email"] in _text(bad)
    assert await RightsRequest.count() == 0
