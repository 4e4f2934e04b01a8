"""Driving the console over HTTP as a browser would (cookies, forms, CSRF tokens), for
tests that need no real browser; tests/browser/ drives it in Chromium."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from pydantic import SecretStr

from hub.settings import Settings
from tests.support.slack import FakeSlack
from tests.support.slack_sender import SIGNING_SECRET
from tests.support.slack_sign_in import CLIENT_ID, CLIENT_SECRET

_CSRF = re.compile(r'name="csrf" value="([^"]*)"')


def csrf_of(page: str) -> str:
    found = _CSRF.search(page)
    assert found, "the page has no form with a CSRF token"
    return html.unescape(found.group(1))


def text_of(page: str) -> str:
    """A page's visible text, tags removed and spaces collapsed (for `in` checks)."""
    without_tags = re.sub(r"<(script|style)[^>]*>.*?</\1>|<[^>]+>", " ", page, flags=re.S)
    return " ".join(html.unescape(without_tags).split())


def console_settings(
    mongo_uri: str,
    db_name: str,
    data_dir: Path,
    slack: FakeSlack,
    public_url: str,
    slack_sign_in: bool = True,
) -> Settings:
    """A hub whose console signs in with the fake Slack (or, without `slack_sign_in`,
    with API keys only) and sends the browser back to `public_url`; the tests run its
    background work themselves."""
    return Settings(
        _env_file=None,
        mongodb_uri=SecretStr(mongo_uri),
        db_name=db_name,
        data_dir=data_dir,
        public_url=public_url,
        slack_bot_token=SecretStr("xoxb-test"),
        slack_signing_secret=SecretStr(SIGNING_SECRET),
        slack_api_url=slack.api_url,
        slack_authorize_url=slack.authorize_url,
        slack_client_id=CLIENT_ID if slack_sign_in else None,
        slack_client_secret=SecretStr(CLIENT_SECRET) if slack_sign_in else None,
        background_workers=False,
        rate_limit_per_address="",
        rate_limit_per_token="",
        retention_daily=False,
    )


@dataclass
class ConsoleClient:
    """One browser: its cookies live in `http`'s jar."""

    http: httpx.AsyncClient
    last_page: str = field(default="", init=False)

    async def get(self, path: str) -> httpx.Response:
        response = await self.http.get(path)
        if response.headers.get("content-type", "").startswith("text/html"):
            self.last_page = response.text
        return response

    async def open(self, path: str) -> str:
        """A page that must answer 200; its HTML."""
        response = await self.get(path)
        assert response.status_code == 200, (path, response.status_code, text_of(response.text))
        return response.text

    async def post(
        self, path: str, data: dict[str, str] | None = None, csrf: str | None = None
    ) -> httpx.Response:
        """Post a form as the last page's form would, with its CSRF token (or `csrf`)."""
        fields = dict(data or {})
        fields["csrf"] = csrf if csrf is not None else csrf_of(self.last_page)
        response = await self.http.post(path, data=fields)
        if response.headers.get("content-type", "").startswith("text/html"):
            self.last_page = response.text
        return response

    async def sign_in_with_key(self, token: str) -> httpx.Response:
        await self.get("/console/sign-in")
        return await self.post("/console/sign-in", {"key": token, "next": "/console"})

    async def sign_in_with_slack(
        self, slack: FakeSlack, user_id: str, name: str = "Ana Agent", team_id: str = "T0001"
    ) -> httpx.Response:
        """Through the fake Slack's authorization page, back to the callback: the
        callback's answer (303 into the console when signed in)."""
        slack.sign_in.sign_in_as(user_id, name, team_id)
        return await self.get(await self.through_slack())

    async def through_slack(self) -> str:
        """Start a Slack sign-in and visit the fake Slack's page: the callback address
        (path and query) Slack sends the browser back to, not visited yet."""
        start = await self.get("/console/sign-in/slack")
        assert start.status_code == 303, start.text
        async with httpx.AsyncClient() as outside:  # the browser visiting slack.com
            at_slack = await outside.get(start.headers["location"])
        assert at_slack.status_code == 302, at_slack.text
        back = urlsplit(at_slack.headers["location"])
        return f"{back.path}?{back.query}"

    async def sign_out(self) -> httpx.Response:
        return await self.post("/console/sign-out")
