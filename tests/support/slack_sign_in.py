"""The fake Slack's "Sign in with Slack" (OpenID Connect): an authorization page that
signs in whoever the test chose and sends the browser back with a code, and the
`openid.connect.token` and `openid.connect.userInfo` methods."""

from __future__ import annotations

import base64
import binascii
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

CLIENT_ID = "1111.2222"
CLIENT_SECRET = "fake-client-secret"
TEAM_ID = "T0001"  # the workspace of the fake's auth.test


@dataclass
class SlackPerson:
    user_id: str
    name: str
    team_id: str = TEAM_ID


@dataclass
class _Grant:
    person: SlackPerson
    nonce: str
    redirect_uri: str


def _part(value: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


@dataclass
class FakeSignIn:
    # Who the authorization page signs in next; None: the person declines.
    person: SlackPerson | None = None
    codes: dict[str, _Grant] = field(default_factory=dict)
    tokens: dict[str, SlackPerson] = field(default_factory=dict)
    authorizations: list[dict[str, str]] = field(default_factory=list)
    # A nonce the token endpoint puts in the ID token instead of the one asked for.
    forged_nonce: str | None = None

    def sign_in_as(self, user_id: str, name: str = "Ana Agent", team_id: str = TEAM_ID) -> None:
        self.person = SlackPerson(user_id, name, team_id)

    async def authorize(self, request: web.Request) -> web.Response:
        query = dict(request.query)
        self.authorizations.append(query)
        target = query.get("redirect_uri", "")
        if query.get("client_id") != CLIENT_ID or not target:
            return web.Response(status=400, text="invalid client_id or redirect_uri")
        if self.person is None:
            answer = {"error": "access_denied", "state": query.get("state", "")}
        else:
            code = secrets.token_urlsafe(12)
            self.codes[code] = _Grant(self.person, query.get("nonce", ""), target)
            answer = {"code": code, "state": query.get("state", "")}
        raise web.HTTPFound(f"{target}?{urlencode(answer)}")

    def answer(self, method: str, args: Mapping[str, Any], authorization: str) -> dict[str, Any]:
        if method == "openid.connect.token":
            return self._token(args, authorization)
        if method == "openid.connect.userInfo":
            person = self.tokens.get(authorization.removeprefix("Bearer "))
            if person is None:
                return {"ok": False, "error": "invalid_auth"}
            return {
                "ok": True,
                "sub": person.user_id,
                "https://slack.com/user_id": person.user_id,
                "https://slack.com/team_id": person.team_id,
                "name": person.name,
            }
        return {"ok": False, "error": "unknown_method"}

    def _token(self, args: Mapping[str, Any], authorization: str) -> dict[str, Any]:
        try:
            basic = base64.b64decode(authorization.removeprefix("Basic ")).decode()
        except (binascii.Error, UnicodeDecodeError):
            basic = ""
        given = f"{args.get('client_id')}:{args.get('client_secret')}"  # or in the form
        if f"{CLIENT_ID}:{CLIENT_SECRET}" not in (basic, given):
            return {"ok": False, "error": "invalid_client_id"}
        grant = self.codes.pop(str(args.get("code", "")), None)  # a code works once
        if grant is None or args.get("redirect_uri") != grant.redirect_uri:
            return {"ok": False, "error": "invalid_code"}
        access_token = "xoxp-" + secrets.token_urlsafe(12)
        self.tokens[access_token] = grant.person
        claims = {
            "iss": "https://slack.com",
            "aud": CLIENT_ID,
            "sub": grant.person.user_id,
            "nonce": self.forged_nonce or grant.nonce,
            "https://slack.com/user_id": grant.person.user_id,
            "https://slack.com/team_id": grant.person.team_id,
        }
        id_token = f"{_part({'alg': 'RS256'})}.{_part(claims)}.c2lnbmF0dXJl"
        return {"ok": True, "access_token": access_token, "id_token": id_token}
