"""The console's doors: which Slack users and user groups an admin let in, with
which role, and the sessions of those signed in (by Slack or with an API key)."""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from beanie import PydanticObjectId
from pymongo.errors import DuplicateKeyError

from hub.clock import Clock
from hub.errors import ErrorCode, NotFound, ValidationFailed
from hub.models.common import Role
from hub.models.console import ConsoleMember, ConsoleSession
from hub.services.access.keys import KeyService, Principal

log = logging.getLogger(__name__)

SLACK_USER = re.compile(r"^[UW][A-Z0-9]{2,30}$")
SLACK_GROUP = re.compile(r"^S[A-Z0-9]{2,30}$")
# The strongest role wins when a person is listed both alone and through groups.
_RANK = {Role.VIEWER: 1, Role.AGENT: 2, Role.PRIVACY_OFFICER: 3, Role.ADMIN: 4}
CONSOLE_ROLES = frozenset(_RANK)
# Seen again after this long, the session's idle clock is written anew (not at every
# page, which would cost a write per click).
_TOUCH_AFTER = timedelta(minutes=1)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def strongest(roles: Iterable[Role]) -> Role | None:
    ranked = sorted(roles, key=lambda role: _RANK.get(role, 0))
    return ranked[-1] if ranked else None


@dataclass(frozen=True)
class SignedIn:
    """A live session: who, as whom they act in the API, and their CSRF token."""

    principal: Principal
    name: str
    csrf_token: str
    session_id: str


class ConsoleAccess:
    """Members (admin-managed) and sessions. A session's role is fixed when it starts;
    removing a member or revoking a key ends their sessions at once."""

    def __init__(
        self,
        clock: Clock,
        keys: KeyService,
        idle: timedelta = timedelta(minutes=30),
        longest: timedelta = timedelta(hours=12),
    ) -> None:
        self.clock = clock
        self.keys = keys
        self.idle = idle
        self.longest = longest

    # -- members

    async def members(self) -> list[ConsoleMember]:
        return await ConsoleMember.find_all().sort("+slack_id").to_list()

    async def set_member(self, slack_id: str, role: Role, added_by: str) -> ConsoleMember:
        """Let a Slack user or user group in with `role` (or change their role)."""
        slack_id = slack_id.strip().upper()  # Slack's ids are upper case: u0ana is U0ANA
        if not (SLACK_USER.match(slack_id) or SLACK_GROUP.match(slack_id)):
            raise ValidationFailed(
                ErrorCode.INVALID_INPUT,
                "Not a Slack user id (U…, W…) or user group id (S…).",
                "slackId",
            )
        if role not in CONSOLE_ROLES:
            raise ValidationFailed(
                ErrorCode.INVALID_INPUT, "The console has no place for this role.", "role"
            )
        member = await ConsoleMember.find_one(ConsoleMember.slack_id == slack_id)
        if member is None:
            member = ConsoleMember(
                slack_id=slack_id, role=role, added_at=self.clock.now(), added_by=added_by
            )
            try:
                await member.insert()
            except DuplicateKeyError:  # added at the same moment: the later call wins
                return await self.set_member(slack_id, role, added_by)
        elif member.role is not role:
            member.role = role
            await member.save()
            await self._end_slack_sessions_of(slack_id)
        return member

    async def remove_member(self, slack_id: str) -> ConsoleMember:
        member = await ConsoleMember.find_one(ConsoleMember.slack_id == slack_id.strip().upper())
        if member is None:
            raise NotFound("console member")
        await member.delete()
        await self._end_slack_sessions_of(member.slack_id)
        return member

    async def groups_to_check(self) -> list[str]:
        """The user groups that have a role: sign-in asks Slack who is in them."""
        members = await ConsoleMember.find({"slack_id": {"$regex": "^S"}}).to_list()
        return [member.slack_id for member in members]

    async def role_of(self, user_id: str, groups: Iterable[str]) -> Role | None:
        ids = [user_id, *groups]
        members = await ConsoleMember.find({"slack_id": {"$in": ids}}).to_list()
        return strongest(member.role for member in members)

    async def _end_slack_sessions_of(self, slack_id: str) -> None:
        if SLACK_GROUP.match(slack_id):
            # Who is in the group is Slack's to say: every Slack session starts again.
            await ConsoleSession.find(ConsoleSession.kind == "slack").delete()
        else:
            await ConsoleSession.find(
                ConsoleSession.kind == "slack", ConsoleSession.subject == slack_id
            ).delete()

    # -- sessions

    async def start_with_slack(self, user_id: str, name: str, role: Role) -> str:
        return await self._start("slack", user_id, name, role)

    async def start_with_key(self, token: str) -> str | None:
        """A session for an API key's holder; None for an unknown or revoked key, or a
        widget key (the console has nothing for it)."""
        principal = await self.keys.authenticate(token.strip())
        if principal is None or principal.role not in CONSOLE_ROLES:
            return None
        return await self._start("key", principal.key_id, principal.label, principal.role)

    async def _start(self, kind: str, subject: str, name: str, role: Role) -> str:
        token = secrets.token_urlsafe(32)
        now = self.clock.now()
        await ConsoleSession(
            token_hash=_hash(token),
            kind="slack" if kind == "slack" else "key",
            subject=subject,
            name=name,
            role=role,
            csrf_token=secrets.token_urlsafe(32),
            created_at=now,
            last_seen_at=now,
            expires_at=min(now + self.idle, now + self.longest),
        ).insert()
        return token

    async def resume(self, token: str | None) -> SignedIn | None:
        """The session of a cookie, if it is still alive (not idle too long, not older
        than the longest session, its key not revoked); its idle clock restarts."""
        if not token or len(token) > 100:
            return None
        session = await ConsoleSession.find_one(ConsoleSession.token_hash == _hash(token))
        now = self.clock.now()
        if session is None:
            log.info("console session refused: no such session (signed out, ended or expired)")
            return None
        if now >= session.expires_at:
            log.info("console session %s refused: expired", session.id)
            return None
        if session.kind == "key":
            key = await self.keys.by_id(session.subject)
            if key is None or key.role is not session.role:
                log.info("console session %s ended: its key was revoked or changed", session.id)
                await session.delete()
                return None
            principal = key
        else:
            principal = Principal(
                key_id=f"slack:{session.subject}",
                role=session.role,
                label=session.name,
                survey_keys=frozenset(),
                slack_user=session.subject,
            )
        if now - session.last_seen_at >= _TOUCH_AFTER:
            session.last_seen_at = now
            session.expires_at = min(now + self.idle, session.created_at + self.longest)
            await session.save()
        return SignedIn(principal, session.name, session.csrf_token, str(session.id))

    async def still_signed_in(self, session_id: str) -> bool:
        """Whether a session is still alive, without restarting its idle clock: an open
        live page asks this now and then, and must not keep its session alive."""
        if not PydanticObjectId.is_valid(session_id):
            return False
        session = await ConsoleSession.get(PydanticObjectId(session_id))
        if session is None or self.clock.now() >= session.expires_at:
            return False
        if session.kind == "key":
            key = await self.keys.by_id(session.subject)
            return key is not None and key.role is session.role
        return True

    async def end(self, token: str | None) -> None:
        if token:
            await ConsoleSession.find(ConsoleSession.token_hash == _hash(token)).delete()
