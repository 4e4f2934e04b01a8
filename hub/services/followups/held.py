"""Slack deliveries held for a reason a person can fix.

Slack refuses some calls for good until someone acts: the bot was never invited to the
channel, the channel was archived, the token was revoked. Such a delivery is not given
up but HELD for its channel, with its reason and the fix in words; it goes out by
itself once the cause is gone (the bot joins the channel, the token works again) or
when an admin retries. An ops channel, when configured, is told once per channel and
cause. Which refusals are held, and what fixes each, is decided here; the Slack bot
only reports the code Slack answered."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from hub.clock import Clock
from hub.errors import ErrorCode, ValidationFailed
from hub.models.outbox import OutboxMessage
from hub.services.platform.outbox import OutboxService

log = logging.getLogger(__name__)

SLACK_KIND_PREFIX = "slack."
NOTICE = "slack.notice"  # a word to the ops channel about a channel's held deliveries

# A channel, or a person (the outbox channel of a direct message).
_CONVERSATION = re.compile(r"^[CGDUW][A-Z0-9]{2,30}$")


class HoldCause(StrEnum):
    CHANNEL = "channel"  # released when the bot joins the channel
    TOKEN = "token"  # noqa: S105 (a cause, not a secret): released when the token check succeeds
    SETUP = "setup"  # released by an admin's retry, once the app or channel is fixed


@dataclass(frozen=True)
class HoldReason:
    code: str  # what Slack answered
    cause: HoldCause
    what: str  # what is wrong, in words
    fix: str  # what a person does about it


_RETRY = "then retry (`feedback-hub slack retry`, or the `retrySlackDeliveries` mutation)"
_RESTORE_ACCESS = (
    "put a working Bot User OAuth Token (xoxb-…, the Slack app's OAuth & Permissions page) "
    "in SLACK_BOT_TOKEN and restart the hub; held messages go out at the next token check"
)

REASONS: dict[str, HoldReason] = {
    reason.code: reason
    for reason in (
        HoldReason(
            "not_in_channel",
            HoldCause.CHANNEL,
            "the bot is not in the channel",
            "invite it: type `/invite @feedback-hub` in the channel; held messages go out "
            "as soon as it joins",
        ),
        HoldReason(
            "channel_not_found",
            HoldCause.CHANNEL,
            "the channel does not exist, or is private and the bot is not in it",
            "invite the bot (`/invite @feedback-hub` in the channel), or correct the routing "
            f"rule's channel id and {_RETRY}",
        ),
        HoldReason(
            "is_archived",
            HoldCause.SETUP,
            "the channel is archived",
            f"unarchive it, or route its follow-ups to another channel, {_RETRY}",
        ),
        HoldReason(
            "invalid_auth", HoldCause.TOKEN, "Slack does not accept the token", _RESTORE_ACCESS
        ),
        HoldReason("not_authed", HoldCause.TOKEN, "no token reached Slack", _RESTORE_ACCESS),
        HoldReason(
            "token_revoked",
            HoldCause.TOKEN,
            "the token was revoked (the app was uninstalled?)",
            "reinstall the Slack app to the workspace and " + _RESTORE_ACCESS,
        ),
        HoldReason(
            "token_expired",
            HoldCause.TOKEN,
            "the token has expired",
            "reinstall the app and " + _RESTORE_ACCESS,
        ),
        HoldReason(
            "account_inactive",
            HoldCause.TOKEN,
            "the bot's account was deactivated",
            "reinstall the Slack app to the workspace and " + _RESTORE_ACCESS,
        ),
        HoldReason(
            "missing_scope",
            HoldCause.SETUP,
            "the app lacks a permission (scope) the hub uses",
            "add the scopes of `feedback-hub slack manifest` to the app, reinstall it, and "
            + _RETRY,
        ),
    )
}
TOKEN_REASONS = frozenset(code for code, r in REASONS.items() if r.cause is HoldCause.TOKEN)
CHANNEL_REASONS = frozenset(code for code, r in REASONS.items() if r.cause is HoldCause.CHANNEL)


def reason_of(code: str | None) -> HoldReason | None:
    """The hold reason of a Slack error code; None when nobody can fix the refusal."""
    return REASONS.get(code or "")


def conversation_id(value: str | None, field: str = "channel") -> str | None:
    """A Slack channel or user id (the outbox channel of a direct message), or None."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    if not _CONVERSATION.match(value):
        raise ValidationFailed(
            ErrorCode.INVALID_INPUT, "A Slack channel id looks like C0123ABCD.", field
        )
    return value


@dataclass(frozen=True)
class ChannelHold:
    """Slack deliveries held for one channel and reason."""

    channel: str
    reason: HoldReason
    count: int
    since: datetime


class SlackHolds:
    """Held Slack deliveries: seen, told about, and released."""

    def __init__(self, clock: Clock, outbox: OutboxService, ops_channel: str | None) -> None:
        self.clock = clock
        self.outbox = outbox
        self.ops_channel = ops_channel

    async def held(self, message: OutboxMessage, code: str) -> None:
        """A delivery was just held: tell the ops channel, once per channel and cause
        (a notice of its own being held is not told about)."""
        if self.ops_channel is None or message.kind == NOTICE:
            return
        await self.outbox.enqueue(
            NOTICE,
            _notice_key(message.channel, code),
            self.ops_channel,
            {"channel": message.channel, "reason": code},
        )

    async def holds(self, channel: str | None = None) -> list[ChannelHold]:
        """What is held, by channel and reason (a reason no longer held for is shown
        as a setup problem)."""
        return [
            ChannelHold(group.channel, describe(group.reason), group.count, group.oldest)
            for group in await self.outbox.held(SLACK_KIND_PREFIX, channel)
        ]

    async def token_held(self) -> bool:
        """Whether anything waits for the token to work again."""
        return bool(await self.outbox.held(SLACK_KIND_PREFIX, reasons=TOKEN_REASONS))

    async def bot_joined(self, channel: str) -> int:
        """The bot was invited to `channel`: what was held for its absence goes out."""
        return await self._release(channel, CHANNEL_REASONS)

    async def token_works(self) -> int:
        """The token works again: what was held for it goes out."""
        return await self._release(None, TOKEN_REASONS)

    async def retry(self, channel: str | None) -> int:
        """An admin's retry: every held delivery (of one channel) goes out again; one
        whose cause remains is held again after one try."""
        return await self._release(conversation_id(channel), None)

    async def _release(self, channel: str | None, reasons: frozenset[str] | None) -> int:
        groups = await self.outbox.held(SLACK_KIND_PREFIX, channel, reasons)
        released = await self.outbox.release_held(SLACK_KIND_PREFIX, channel, reasons)
        # The cause is gone: should it come back, the ops channel hears of it again.
        await self.outbox.forget([_notice_key(g.channel, g.reason) for g in groups])
        if released:
            log.info("released %d held Slack deliveries", released)
        return released


def describe(code: str) -> HoldReason:
    """The hold reason of a code Slack answered, in words (an unknown one as a setup
    problem)."""
    return REASONS.get(code) or HoldReason(
        code, HoldCause.SETUP, "Slack refused it", f"check the Slack app's setup, {_RETRY}"
    )


def _notice_key(channel: str, code: str) -> str:
    return f"{NOTICE}:{channel}:{code}"


def notice_text(channel: str, code: str) -> str:
    """What the ops channel is told about a channel's held deliveries."""
    reason = describe(code)
    where = f"<@{channel}>" if channel[:1] in "UW" else f"<#{channel}>"
    return (
        f":warning: Slack messages for {where} are held: {reason.what} (`{code}`). "
        f"Fix: {reason.fix}."
    )
