"""Sign in with Slack (OpenID Connect): the authorization request, the code exchange
and the identity, with the user's role from the console's members.

The ID token comes straight from Slack's token endpoint over TLS, so its signature
need not be checked (OpenID Connect Core 3.1.3.7, step 6); its audience, workspace and
nonce are. The user's name and id come from `openid.connect.userInfo`."""

from __future__ import annotations

import base64
import binascii
import json
import logging
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from hub.models.common import Role
from hub.services.access.console import ConsoleAccess
from hub.settings import Settings

log = logging.getLogger(__name__)

CALLBACK_PATH = "/console/sign-in/slack/callback"
SCOPES = "openid profile"


class SignInRefused(Exception):
    """Sign-in did not succeed; `reason` is a string key the page shows."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Attempt:
    """What the browser carries (in a short-lived cookie) from the authorization request
    to the callback: the state and nonce to compare, and where to go afterwards."""

    state: str
    nonce: str
    next_path: str

    def encode(self) -> str:
        return ".".join((self.state, self.nonce, self.next_path))

    @classmethod
    def decode(cls, value: str | None) -> Attempt | None:
        parts = (value or "").split(".", 2)
        if len(parts) != 3:
            return None
        return cls(*parts)


@dataclass(frozen=True)
class SlackPerson:
    user_id: str
    name: str
    role: Role


def redirect_uri(settings: Settings) -> str:
    return settings.resolved_public_url() + CALLBACK_PATH


def start(settings: Settings, next_path: str) -> tuple[str, Attempt]:
    """The address of Slack's sign-in page, and the attempt to remember."""
    attempt = Attempt(secrets.token_urlsafe(24), secrets.token_urlsafe(24), next_path)
    query = {
        "response_type": "code",
        "scope": SCOPES,
        "client_id": settings.slack_client_id or "",
        "state": attempt.state,
        "nonce": attempt.nonce,
        "redirect_uri": redirect_uri(settings),
    }
    if settings.slack_team_id:
        query["team"] = settings.slack_team_id
    return f"{settings.slack_authorize_url}?{urlencode(query)}", attempt


def _claims(id_token: str) -> dict[str, Any]:
    try:
        payload = id_token.split(".")[1]
        decoded = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
        claims = json.loads(decoded)
    except (IndexError, ValueError, binascii.Error):
        raise SignInRefused("slack_refused") from None
    if not isinstance(claims, dict):
        raise SignInRefused("slack_refused")
    return claims


class SlackSignIn:
    def __init__(self, settings: Settings, console: ConsoleAccess) -> None:
        self.settings = settings
        self.console = console
        self._team: str | None = settings.slack_team_id

    def _client(self, token: str | None = None) -> AsyncWebClient:
        return AsyncWebClient(token=token, base_url=self.settings.slack_api_url, timeout=10)

    async def _workspace(self) -> str:
        """The workspace whose people may sign in: HUB_SLACK_TEAM_ID, or the bot's."""
        if self._team is None:
            bot = self.settings.slack_bot_token
            if bot is None:
                log.warning("Slack sign-in needs HUB_SLACK_TEAM_ID or a bot token")
                raise SignInRefused("slack_other_team")
            answer = await self._client(bot.get_secret_value()).auth_test()
            self._team = str(answer["team_id"])
        return self._team

    async def finish(self, code: str, attempt: Attempt) -> SlackPerson:
        """Exchange the code, check the ID token, and find the person's console role."""
        secret = self.settings.slack_client_secret
        client_id = self.settings.slack_client_id
        assert secret is not None and client_id is not None  # the route is on only then
        try:
            team = await self._workspace()
            # The client's credentials go in the form, which Slack accepts as well as
            # HTTP Basic (slack_sdk's Basic goes through a deprecated aiohttp helper).
            tokens = await self._client().api_call(
                "openid.connect.token",
                data={
                    "client_id": client_id,
                    "client_secret": secret.get_secret_value(),
                    "code": code,
                    "redirect_uri": redirect_uri(self.settings),
                },
            )
            claims = _claims(str(tokens.get("id_token") or ""))
            if claims.get("aud") != client_id or claims.get("nonce") != attempt.nonce:
                raise SignInRefused("slack_refused")
            info = await self._client(str(tokens["access_token"])).openid_connect_userInfo()
        except SlackApiError as error:
            if error.response.status_code >= 500 or error.response.status_code == 429:
                log.warning("Slack sign-in: Slack answered %s", error.response.status_code)
                raise SignInRefused("slack_unavailable") from None
            log.info("Slack sign-in refused by Slack: %s", error.response.get("error"))
            raise SignInRefused("slack_refused") from None
        except (SlackClientError, OSError, TimeoutError) as error:
            log.warning("Slack sign-in: Slack unreachable (%s)", type(error).__name__)
            raise SignInRefused("slack_unavailable") from None
        user_id = str(info.get("https://slack.com/user_id") or "")
        if claims.get("https://slack.com/team_id") != team or (
            info.get("https://slack.com/team_id") != team
        ):
            raise SignInRefused("slack_other_team")
        if not user_id or user_id != claims.get("https://slack.com/user_id"):
            raise SignInRefused("slack_refused")
        groups = await self._groups_of(user_id)
        role = await self.console.role_of(user_id, groups)
        if role is None:
            log.info("Slack sign-in refused: not a console member")
            raise SignInRefused("slack_not_member")
        name = str(info.get("name") or info.get("given_name") or user_id)
        return SlackPerson(user_id=user_id, name=name[:200], role=role)

    async def _groups_of(self, user_id: str) -> list[str]:
        """The user groups with a console role that the user is in (asked of Slack with
        the bot token, one call per such group)."""
        candidates = await self.console.groups_to_check()
        bot = self.settings.slack_bot_token
        if not candidates or bot is None:
            return []
        client = self._client(bot.get_secret_value())
        found = []
        for group in candidates:
            try:
                answer = await client.usergroups_users_list(usergroup=group)
            except SlackApiError as error:
                log.warning("usergroups.users.list refused: %s", error.response.get("error"))
                continue
            except (SlackClientError, OSError, TimeoutError) as error:
                log.warning("Slack sign-in: Slack unreachable (%s)", type(error).__name__)
                raise SignInRefused("slack_unavailable") from None
            if user_id in (answer.get("users") or []):
                found.append(group)
        return found
