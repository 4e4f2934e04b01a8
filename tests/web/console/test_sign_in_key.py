"""Signing in to the console with a personal API key, where Slack sign-in is not set
up; the session's cookie, CSRF, sign-out, language and headers."""

from __future__ import annotations

import httpx
import pytest

from hub.models.common import Role
from hub.models.console import ConsoleSession
from hub.services import Services
from tests.support.console import ConsoleClient, csrf_of, text_of


@pytest.fixture
def slack_sign_in() -> bool:
    return False


async def test_a_reader_key_signs_in_and_the_console_acts_as_its_role(
    console: ConsoleClient, services: Services
) -> None:
    _, token = await services.keys.create(Role.AGENT, "Ana from support")
    page = await console.open("/console/sign-in")
    assert "Sign in with Slack" not in page
    signed_in = await console.sign_in_with_key(token)
    assert signed_in.status_code == 303
    assert signed_in.headers["location"] == "/console"
    session = await ConsoleSession.find_one()
    assert session is not None
    assert (session.kind, session.role, session.name) == ("key", Role.AGENT, "Ana from support")
    assert token not in str(session.model_dump())  # only a hash of the cookie is kept
    # Signed in, the sign-in page sends them on.
    assert (await console.get("/console/sign-in")).headers["location"] == "/console"


@pytest.mark.parametrize("kind", ["widget", "revoked", "unknown", "blank"])
async def test_keys_that_may_not_sign_in_are_refused_without_a_session(
    console: ConsoleClient, services: Services, kind: str
) -> None:
    key, token = await services.keys.create(
        Role.WIDGET if kind == "widget" else Role.ADMIN, "some key"
    )
    if kind == "revoked":
        await services.keys.revoke(str(key.id))
    token = {"unknown": "fh_" + "x" * 43, "blank": "   "}.get(kind, token)
    answer = await console.sign_in_with_key(token)
    assert answer.status_code == 401
    assert "This key is not valid here" in text_of(answer.text)
    assert await ConsoleSession.count() == 0
    assert "fh_console=" not in answer.headers.get("set-cookie", "")


async def test_revoking_the_key_ends_its_sessions(
    console: ConsoleClient, services: Services
) -> None:
    key, token = await services.keys.create(Role.ADMIN, "Ada")
    await console.sign_in_with_key(token)
    assert (await console.get("/console")).status_code == 303
    assert (await console.get("/console")).headers["location"] == "/console/dashboard"
    await services.keys.revoke(str(key.id))
    assert (await console.get("/console")).headers["location"].startswith("/console/sign-in")
    assert await ConsoleSession.count() == 0


async def test_the_sign_in_form_needs_its_own_token(
    console: ConsoleClient, second_browser: ConsoleClient, services: Services
) -> None:
    """Login CSRF: another site cannot sign a browser in with the attacker's key."""
    _, token = await services.keys.create(Role.ADMIN, "Ada")
    page = await console.open("/console/sign-in")
    # The other browser has no sign-in cookie: the token from this page is no use.
    stolen = await second_browser.post("/console/sign-in", {"key": token}, csrf=csrf_of(page))
    assert stolen.status_code == 403
    assert "Nothing was changed" in text_of(stolen.text)
    missing = await console.post("/console/sign-in", {"key": token}, csrf="")
    assert missing.status_code == 403
    assert await ConsoleSession.count() == 0


async def test_after_sign_in_it_goes_only_to_console_pages(
    console: ConsoleClient, services: Services
) -> None:
    _, token = await services.keys.create(Role.ADMIN, "Ada")
    for wanted, landing in [
        ("/console/follow-ups", "/console/follow-ups"),
        ("https://evil.example/console", "/console"),
        ("//evil.example/console", "/console"),
        ("/console//evil.example", "/console"),
    ]:
        await console.get("/console/sign-in")
        answer = await console.post("/console/sign-in", {"key": token, "next": wanted})
        assert answer.headers["location"] == landing, wanted


async def test_sign_out_needs_the_session_token_and_ends_the_session(
    console: ConsoleClient, services: Services
) -> None:
    _, token = await services.keys.create(Role.VIEWER, "Vic")
    await console.sign_in_with_key(token)
    await console.get("/console/nowhere")
    forged = await console.post("/console/sign-out", csrf="not-the-token")
    assert forged.status_code == 403
    assert await ConsoleSession.count() == 1
    cookie = console.http.cookies.get("fh_console")
    signed_out = await console.sign_out()
    assert signed_out.headers["location"] == "/console/sign-in?signed_out=1"
    assert "You are signed out" in text_of((await console.get(signed_out.headers["location"])).text)
    assert await ConsoleSession.count() == 0
    # The old cookie, kept by someone, opens nothing.
    console.http.cookies.set("fh_console", cookie or "", domain="hub.test", path="/console")
    assert (await console.get("/console")).headers["location"].startswith("/console/sign-in")


async def test_a_post_from_another_origin_is_refused(
    console: ConsoleClient, services: Services
) -> None:
    _, token = await services.keys.create(Role.VIEWER, "Vic")
    await console.sign_in_with_key(token)
    await console.get("/console/nowhere")
    csrf = csrf_of(console.last_page)
    answer = await console.http.post(
        "/console/sign-out", data={"csrf": csrf}, headers={"origin": "https://evil.example"}
    )
    assert answer.status_code == 403
    assert await ConsoleSession.count() == 1


async def test_an_expired_session_posting_gets_a_clear_page_and_changes_nothing(
    console: ConsoleClient, services: Services
) -> None:
    _, token = await services.keys.create(Role.ADMIN, "Ada")
    await console.sign_in_with_key(token)
    await console.get("/console/nowhere")
    csrf = csrf_of(console.last_page)
    await ConsoleSession.find_all().delete()
    answer = await console.post("/console/anything", {"x": "1"}, csrf=csrf)
    assert answer.status_code == 401
    assert "Your session ended" in text_of(answer.text)


async def test_the_console_speaks_the_browsers_language(console: ConsoleClient) -> None:
    for header, expected in [
        ("nb-NO,nb;q=0.9,en;q=0.5", "Logg inn med din personlige API-nøkkel."),
        ("fi", "Kirjaudu henkilökohtaisella API-avaimellasi."),
        ("de-DE,sv;q=0.8", "Logga in med din personliga API-nyckel."),
        ("de-DE", "Sign in with your personal API key."),
    ]:
        page = await console.http.get("/console/sign-in", headers={"accept-language": header})
        assert expected in text_of(page.text), header


async def test_pages_and_files_carry_a_strict_policy(console: ConsoleClient) -> None:
    page = await console.http.get("/console/sign-in")
    policy = page.headers["content-security-policy"]
    assert "script-src 'self';" in policy and "style-src 'self';" in policy
    assert "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy
    assert page.headers["cache-control"] == "no-store"
    assert "<script>" not in page.text and "style=" not in page.text
    for name in ("console.css", "console.js"):
        address = next(
            part.split('"')[0] for part in page.text.split(f"/console/static/{name}")[1:2]
        )
        served = await console.http.get(f"/console/static/{name}{address}")
        assert served.status_code == 200
        assert "immutable" in served.headers["cache-control"]
    assert (await console.http.get("/console/static/nothing.js")).status_code == 404


async def test_cookies_are_secure_over_https(console: ConsoleClient, services: Services) -> None:
    _, token = await services.keys.create(Role.ADMIN, "Ada")
    secure = httpx.AsyncClient(transport=console.http._transport, base_url="https://hub.test")
    async with secure:
        browser = ConsoleClient(secure)
        answer = await browser.sign_in_with_key(token)
    assert "Secure" in answer.headers["set-cookie"]
