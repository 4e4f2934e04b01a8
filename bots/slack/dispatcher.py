"""Delivers the Slack side of follow-ups from the outbox: posts, message updates,
digests, thread replies and redactions. Every message is rebuilt from the database
when it is sent."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bots.slack import blocks
from bots.slack.calls import CALL_ERRORS
from hub.errors import NotFound
from hub.models.followup import Actor, FollowUp, FollowUpAction, PostKind, SlackPost
from hub.models.outbox import OutboxMessage
from hub.models.response import Response
from hub.services import Services
from hub.services.followups import held
from hub.services.followups.followups import POST, REDACT, UPDATE
from hub.services.followups.thread import THREAD, thread_root
from hub.services.platform.outbox import (
    BatchHandler,
    Delivered,
    GiveUp,
    Handler,
    Hold,
    Outcome,
    RetryLater,
)
from hub.services.privacy import free_text
from hub.services.themes.tags_for import tags_for, theme_keys

log = logging.getLogger(__name__)

# Slack errors that a later attempt may get past; any other `ok: false` is final.
_TRANSIENT = frozenset(
    {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
)


def failure(error: Exception) -> Outcome:
    """What to do after a failed Web API call: retry what Slack may take later, hold
    what a person can fix (`hub.services.followups.held`), give up the rest."""
    if isinstance(error, SlackApiError):
        status = error.response.status_code
        if status == 429:
            retry_after = error.response.headers.get("Retry-After", "1")
            try:
                seconds = max(float(retry_after), 1.0)
            except ValueError:
                seconds = 30.0
            return RetryLater("ratelimited", after=timedelta(seconds=seconds), pause_channel=True)
        code = str(error.response.get("error") or f"HTTP{status}")
        if status >= 500 or code in _TRANSIENT:
            return RetryLater(code, outage=True)
        if held.reason_of(code) is not None:
            return Hold(code)
        return GiveUp(code)
    return RetryLater(type(error).__name__, outage=True)  # unreachable or timed out


Row = tuple[FollowUp, Response | None]
Waiting = tuple[OutboxMessage, FollowUp]  # a post to make and its follow-up
Found = tuple[str, bool]  # a message already in the channel: its ts, and if a digest


def _follow_up_id(message: OutboxMessage) -> str:
    return str(message.payload["follow_up_id"])


def _post_kind(message: OutboxMessage) -> PostKind:
    return PostKind(message.payload.get("post_kind", PostKind.ROUTED.value))


def _pauses(outcome: Outcome) -> bool:
    return isinstance(outcome, RetryLater) and outcome.pause_channel


async def masked_rows(rows: list[Row]) -> list[Row]:
    """Follow-ups and responses as every employee in the channel may read them: copies
    whose comments, resolution notes and reopening reasons are masked, with one lookup
    for all of them."""
    texts: list[str] = []
    for follow_up, response in rows:
        texts.append(response.comment or "" if response is not None else "")
        texts.append(follow_up.resolution.note if follow_up.resolution is not None else "")
        texts.append(follow_up.reopened.reason if follow_up.reopened is not None else "")
    masked = iter(await free_text.masked(texts))
    shown: list[Row] = []
    for follow_up, response in rows:
        comment, note, reason = next(masked), next(masked), next(masked)
        if response is not None:
            response = response.model_copy(update={"comment": comment or response.comment})
        if follow_up.resolution is not None:
            resolution = follow_up.resolution.model_copy(update={"note": note})
            follow_up = follow_up.model_copy(update={"resolution": resolution})
        if follow_up.reopened is not None:
            reopened = follow_up.reopened.model_copy(update={"reason": reason})
            follow_up = follow_up.model_copy(update={"reopened": reopened})
        shown.append((follow_up, response))
    return shown


def _posted(outcome: Outcome | None) -> bool:
    """Whether the outcome is a message posted just now (not one found posted before,
    nor one skipped)."""
    result = (outcome.result if isinstance(outcome, Delivered) else None) or {}
    return "ts" in result and not result.get("found")


class SlackDelivery:
    """The outbox handlers of the Slack kinds."""

    def __init__(self, services: Services, client: AsyncWebClient) -> None:
        self.services = services
        self.follow_ups = services.follow_ups
        self.outbox = services.outbox
        self.client = client
        self.threshold = services.settings.slack_digest_threshold
        self.post_gap = services.settings.slack_post_gap_seconds

    async def _themes(self, response: Response | None) -> list[str]:
        """The theme keys a message shows: the stored tags, or computed now when the
        tagger has not written them yet (the same tags it writes a moment later). From
        the comment as written, before it is masked for the channel."""
        if response is None:
            return []
        return theme_keys(await tags_for(response, self.services.theme_catalog))

    def register(self, *others: tuple[str, Handler]) -> None:
        """Deliver the Slack kinds (these and `others`), telling the ops channel when
        one is held. Posts are delivered a channel's batch at a time (a digest when the
        channel is backed up)."""
        dispatcher = self.services.dispatcher
        handlers: list[tuple[str, Handler]] = [(UPDATE, self.update), (REDACT, self.redact)]
        handlers += [(THREAD, self.thread_reply), *others]
        for kind, handler in handlers:
            dispatcher.register(kind, self._telling(handler))
        dispatcher.register_batch(POST, self._telling_batch(self.posts))
        # A digest needs the backlog in one batch: more than the threshold, or a full one.
        self.threshold = min(self.threshold, dispatcher.batch_size - 1)

    def _telling(self, handler: Handler) -> Handler:
        holds = self.services.slack_holds

        async def deliver(message: OutboxMessage) -> Outcome:
            outcome = await handler(message)
            if isinstance(outcome, Hold):
                await holds.held(message, outcome.reason)
            return outcome

        return deliver

    def _telling_batch(self, handler: BatchHandler) -> BatchHandler:
        holds = self.services.slack_holds

        async def deliver(messages: list[OutboxMessage]) -> list[Outcome | None]:
            outcomes = await handler(messages)
            told: set[str] = set()
            for message, outcome in zip(messages, outcomes, strict=True):
                if isinstance(outcome, Hold) and outcome.reason not in told:
                    told.add(outcome.reason)  # the lines of one channel: one notice
                    await holds.held(message, outcome.reason)
            return outcomes

        return deliver

    async def _already_posted(self, channel: str, waiting: list[Waiting]) -> dict[str, Found]:
        """Messages about these follow-ups already in the channel, found by their
        metadata in one walk through its history: an earlier attempt may have posted
        them and lost the answer. By outbox key: the ts, and whether it is a digest."""
        since = min(message.created_at for message, _ in waiting) - timedelta(minutes=1)
        keys = {message.key: str(follow_up.id) for message, follow_up in waiting}
        found: dict[str, Found] = {}
        cursor: str | None = None
        while True:
            history = await self.client.conversations_history(
                channel=channel,
                oldest=f"{since.timestamp():.6f}",
                include_all_metadata=True,
                limit=200,
                cursor=cursor,
            )
            messages: list[dict[str, Any]] = history.get("messages") or []
            for posted in messages:
                outbox_key, about = blocks.follow_up_ids_in(posted.get("metadata"))
                for key, follow_up_id in keys.items():
                    if key not in found and (outbox_key == key or follow_up_id in about):
                        found[key] = (str(posted["ts"]), len(about) > 1)
            cursor = (history.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor or len(found) == len(keys):
                return found

    async def posts(self, messages: list[OutboxMessage]) -> list[Outcome | None]:
        """Post a channel's batch of new follow-ups: one message each, or digests when
        more than the threshold wait. The follow-ups and their responses are read once
        for the whole batch."""
        outcomes: dict[str, Outcome | None] = {}
        found = {
            str(f.id): f for f in await self.follow_ups.by_ids([_follow_up_id(m) for m in messages])
        }
        waiting: list[Waiting] = []
        for message in messages:
            follow_up = found.get(_follow_up_id(message))
            if follow_up is None:
                outcomes[message.key] = GiveUp("follow_up_gone")
            elif follow_up.redacted:
                outcomes[message.key] = Delivered({"skipped": "redacted"})
            else:
                waiting.append((message, follow_up))
        if waiting:
            channel = messages[0].channel
            outcomes.update(await self._post_waiting(channel, waiting))
            if any(_posted(outcome) for outcome in outcomes.values()):
                # Slack's one message a second per channel, kept rather than run into.
                self.services.dispatcher.pace(channel, self.post_gap)
        return [outcomes.get(message.key) for message in messages]

    async def _post_waiting(
        self, channel: str, waiting: list[Waiting]
    ) -> dict[str, Outcome | None]:
        outcomes: dict[str, Outcome | None] = {}
        retried = [(m, f) for m, f in waiting if m.attempts > 1]
        if retried:
            try:
                posted = await self._already_posted(channel, retried)
            except CALL_ERRORS as error:
                return dict.fromkeys((m.key for m, _ in waiting), failure(error))
            outcomes.update(await self._record_found(channel, retried, posted))
            waiting = [(m, f) for m, f in waiting if m.key not in outcomes]
        if not waiting:
            return outcomes
        responses = await self.follow_ups.responses_by_ids([f.response_id for _, f in waiting])
        shown = await masked_rows([(f, responses.get(f.response_id)) for _, f in waiting])
        rows = [(m, f, row) for (m, f), row in zip(waiting, shown, strict=True)]
        if len(rows) > self.threshold:
            for start in range(0, len(rows), blocks.MAX_DIGEST_LINES):
                chunk = rows[start : start + blocks.MAX_DIGEST_LINES]
                outcome = await self._digest(channel, chunk)
                outcomes.update(dict.fromkeys((m.key for m, _, _ in chunk), outcome))
                if _pauses(outcome):
                    break  # the channel is paused: the other lines wait untouched
            return outcomes
        for message, follow_up, row in rows:
            themes = await self._themes(responses.get(follow_up.response_id))
            outcome = await self._post(message, follow_up, row, themes)
            outcomes[message.key] = outcome
            if _pauses(outcome):
                break
        return outcomes

    async def _record_found(
        self, channel: str, retried: list[Waiting], posted: dict[str, Found]
    ) -> dict[str, Outcome | None]:
        """Record the posts an earlier attempt made (a digest's lines in one write)."""
        outcomes: dict[str, Outcome | None] = {}
        lines: dict[str, list[FollowUp]] = {}
        for message, follow_up in retried:
            if message.key not in posted:
                continue
            ts, in_digest = posted[message.key]
            if in_digest:
                lines.setdefault(ts, []).append(follow_up)
            else:
                await self.follow_ups.record_post(
                    str(follow_up.id), channel, ts, _post_kind(message)
                )
            outcomes[message.key] = Delivered({"channel": channel, "ts": ts, "found": True})
        for ts, follow_ups in lines.items():
            ids = [follow_up.id for follow_up in follow_ups if follow_up.id is not None]
            await self.follow_ups.record_digest_post(ids, channel, ts)
        return outcomes

    async def _post(
        self, message: OutboxMessage, follow_up: FollowUp, row: Row, themes: list[str]
    ) -> Outcome:
        """Post one follow-up as a message of its own."""
        shown, response = row
        try:
            result = await self.client.chat_postMessage(
                channel=message.channel,
                text=blocks.fallback_text(follow_up),
                blocks=blocks.follow_up_message(shown, response, themes),
                metadata=blocks.post_metadata(message.key, [str(follow_up.id)]),
                unfurl_links=False,
            )
        except CALL_ERRORS as error:
            return failure(error)
        ts = str(result["ts"])
        recorded = await self.follow_ups.record_post(
            str(follow_up.id), message.channel, ts, _post_kind(message)
        )
        if recorded is not None and recorded.version != follow_up.version:
            await self.follow_ups.requeue_update(recorded, ts)  # it changed while we posted
        return Delivered({"channel": message.channel, "ts": ts})

    async def _digest(
        self, channel: str, chunk: list[tuple[OutboxMessage, FollowUp, Row]]
    ) -> Outcome:
        """Post follow-ups of a backed-up channel as one message with a line each; the
        outcome is every line's."""
        text, digest_blocks = blocks.digest_message([row for _, _, row in chunk])
        follow_up_ids = [str(follow_up.id) for _, follow_up, _ in chunk]
        try:
            result = await self.client.chat_postMessage(
                channel=channel,
                text=text,
                blocks=digest_blocks,
                metadata=blocks.post_metadata(chunk[0][0].key, follow_up_ids),
            )
        except CALL_ERRORS as error:
            return failure(error)
        ts = str(result["ts"])
        await self.follow_ups.record_digest_post(
            [f.id for _, f, _ in chunk if f.id is not None], channel, ts
        )
        log.info("posted a digest of %d follow-ups", len(chunk))
        return Delivered({"channel": channel, "ts": ts, "digest": len(chunk)})

    async def _response(self, follow_up: FollowUp) -> Response | None:
        return await self.follow_ups.response_of(follow_up)

    async def _digest_blocks(self, channel_id: str, ts: str) -> tuple[str, list[blocks.Block]]:
        members = await self.follow_ups.in_slack_message(channel_id, ts)
        responses = await self.follow_ups.responses_by_ids([f.response_id for f in members])
        return blocks.digest_message(
            await masked_rows([(f, responses.get(f.response_id)) for f in members])
        )

    async def update(self, message: OutboxMessage) -> Outcome:
        """Rebuild every message about the follow-up from its current state."""
        try:
            follow_up = await self.follow_ups.get(str(message.payload["follow_up_id"]))
        except NotFound:
            return GiveUp("follow_up_gone")
        stored = await self._response(follow_up)
        themes = await self._themes(stored)
        [(shown, response)] = await masked_rows([(follow_up, stored)])
        try:
            for post in follow_up.posts:
                if post.kind is PostKind.DIGEST:
                    text, message_blocks = await self._digest_blocks(post.channel_id, post.ts)
                else:
                    text = blocks.fallback_text(follow_up)
                    message_blocks = blocks.follow_up_message(shown, response, themes)
                if follow_up.redacted and post.kind is not PostKind.DIGEST:
                    text = blocks.REDACTED_TEXT
                await self.client.chat_update(
                    channel=post.channel_id, ts=post.ts, text=text, blocks=message_blocks
                )
        except CALL_ERRORS as error:
            return failure(error)
        return Delivered({"updated": len(follow_up.posts)})

    async def _already_replied(self, message: OutboxMessage, root: SlackPost) -> str | None:
        """The ts of the reply an earlier attempt posted in the thread and lost the
        answer of, found by its metadata."""
        cursor: str | None = None
        while True:
            replies = await self.client.conversations_replies(
                channel=root.channel_id,
                ts=root.ts,
                include_all_metadata=True,
                limit=200,
                cursor=cursor,
            )
            for found in replies.get("messages") or []:
                outbox_key, _ = blocks.follow_up_ids_in(found.get("metadata"))
                if outbox_key == message.key:
                    return str(found["ts"])
            cursor = (replies.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                return None

    async def thread_reply(self, message: OutboxMessage) -> Outcome:
        """Announce a change of hands in the thread of the follow-up's message."""
        follow_up_id = str(message.payload["follow_up_id"])
        try:
            follow_up = await self.follow_ups.get(follow_up_id)
        except NotFound:
            return GiveUp("follow_up_gone")
        if follow_up.redacted:
            return Delivered({"skipped": "redacted"})
        root = thread_root(follow_up, message.channel)
        if root is None:
            if await self.follow_ups.post_pending(follow_up, message.channel):
                # Told before the message is out: wait for it, however long it waits.
                return RetryLater("not_posted_yet", outage=True)
            return Delivered({"skipped": "not posted"})
        payload = message.payload
        to = payload.get("to")
        text = blocks.announcement(
            FollowUpAction(payload["action"]),
            Actor.model_validate(payload["by"]),
            Actor.model_validate(to) if to else None,
            payload.get("customer_informed"),
            follow_up if root.kind is PostKind.DIGEST else None,
        )
        try:
            if message.attempts > 1:
                found = await self._already_replied(message, root)
                if found is not None:
                    return Delivered({"channel": root.channel_id, "ts": found, "found": True})
            result = await self.client.chat_postMessage(
                channel=root.channel_id,
                thread_ts=root.ts,
                text=text,
                metadata=blocks.post_metadata(message.key, [follow_up_id]),
            )
        except CALL_ERRORS as error:
            return failure(error)
        return Delivered({"channel": root.channel_id, "ts": str(result["ts"])})

    async def redact(self, message: OutboxMessage) -> Outcome:
        channel_id = str(message.payload["channel_id"])
        ts = str(message.payload["ts"])
        update: dict[str, Any]
        if await self.follow_ups.is_digest(channel_id, ts):
            text, digest_blocks = await self._digest_blocks(channel_id, ts)
            update = {"text": text, "blocks": digest_blocks}
        else:
            update = {"text": blocks.REDACTED_TEXT, "blocks": blocks.redacted()}
        try:
            await self.client.chat_update(channel=channel_id, ts=ts, **update)
        except CALL_ERRORS as error:
            return failure(error)
        return Delivered({"redacted": ts})
