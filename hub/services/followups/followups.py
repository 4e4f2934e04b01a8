"""Follow-ups: a response with a comment, routed to Slack, claimed by one employee
and resolved with a note."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from beanie import PydanticObjectId
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import DuplicateKeyError

from hub.batch import insert_later
from hub.clock import Clock
from hub.db import in_transaction
from hub.errors import Conflict, ErrorCode, NotFound
from hub.models.common import Metric, UserIdentity
from hub.models.followup import (
    Actor,
    FollowUp,
    FollowUpAction,
    FollowUpStatus,
    PostKind,
    SlackPost,
)
from hub.models.outbox import OutboxMessage, OutboxStatus
from hub.models.response import Response
from hub.services.analytics.bands import bands
from hub.services.analytics.queries import ScoreCount
from hub.services.followups.live import announce_change
from hub.services.followups.routing import RoutingService
from hub.services.followups.stores import follow_ups
from hub.services.followups.thread import announce
from hub.services.platform import paging, validation
from hub.services.platform.outbox import OutboxService
from hub.services.platform.store import Raw
from hub.services.widget.responses import ResponseListener
from hub.services.widget.stores import responses

log = logging.getLogger(__name__)

POST = "slack.post"
UPDATE = "slack.update"
REDACT = "slack.redact"
SLACK_KINDS = (POST, UPDATE, REDACT)
MAX_NOTE_LENGTH = 3000


class SuppressionCheck(Protocol):
    """Whether a person must not be processed (they objected, or their data is
    restricted). The privacy rules own that state; follow-ups only ask."""

    async def is_suppressed(self, user_id: str, session: AsyncClientSession) -> bool: ...


class NobodySuppressed:
    """Used until the privacy rules provide a real check."""

    async def is_suppressed(self, user_id: str, session: AsyncClientSession) -> bool:
        return False


class AlreadyClaimed(Conflict):
    """Someone else has it; `claimed_by` says who (kept out of the message text)."""

    def __init__(self, claimed_by: Actor | None) -> None:
        super().__init__(ErrorCode.ALREADY_CLAIMED, "The follow-up is already claimed.", "id")
        self.claimed_by = claimed_by


@dataclass(frozen=True)
class MetricSummary:
    metric: Metric
    count: int
    score: float  # NPS -100..100; CSAT % of 4-5; CES mean
    favourable_percent: float  # the favourable band (`hub.services.analytics.bands`)
    unfavourable_percent: float  # the unfavourable band


@dataclass(frozen=True)
class Worklist:
    """Follow-ups to show someone: those in Slack first, then those not in Slack yet
    (each part oldest first), and how many match in all."""

    shown: list[FollowUp]
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.shown)


@dataclass(frozen=True)
class WorklistFilter:
    status: FollowUpStatus
    claimed_by: str | None = None
    survey_key: str | None = None
    channel_id: str | None = None  # routed to, or posted in, this channel


class FollowUpService:
    def __init__(
        self,
        clock: Clock,
        outbox: OutboxService,
        routing: RoutingService,
        suppression: SuppressionCheck | None = None,
    ) -> None:
        self.clock = clock
        self.outbox = outbox
        self.routing = routing
        self.suppression: SuppressionCheck = suppression or NobodySuppressed()

    async def open_for(self, response: Response, session: AsyncClientSession) -> FollowUp | None:
        """Create the follow-up of a commented response and queue its Slack posts,
        inside the caller's transaction. Suppressed people get no follow-up."""
        if await self.suppression.is_suppressed(response.user.id, session):
            return None
        route = await self.routing.route(response)
        channels = route.channels
        follow_up = FollowUp(
            response_id=response.id,
            subject_id=response.user.id,
            survey_key=response.survey_key,
            metric=response.metric,
            score=response.score,
            channels=channels,
            routing_rule_id=route.rule_id,
            created_at=self.clock.now(),
        )
        await insert_later(follow_up, session)
        # No live event of its own: the comment's (written in this transaction) tells
        # the console's boards too (EventRelay), one write fewer per comment.
        for index, channel in enumerate(channels):
            kind = PostKind.ROUTED if index == 0 else PostKind.ESCALATION
            # A key no message can have yet (the follow-up is new): nothing to answer.
            await self.outbox.enqueue_new(
                POST,
                f"{POST}:{follow_up.id}:{channel}",
                channel,
                {"follow_up_id": str(follow_up.id), "post_kind": kind.value},
                subject_ids=[response.user.id],
                session=session,
            )
        return follow_up

    async def open_missing(self, user_id: str) -> int:
        """Open the follow-ups a person's comments did not get because they were
        suppressed when sent (their data was restricted), now that they are not;
        each in its own transaction, as a new comment's would be. Returns how many
        were opened; running it again opens none."""
        opened = 0
        client = follow_ups.STORE.client()
        async for raw in responses.commented_by(str(user_id)):
            if await FollowUp.find_one(FollowUp.response_id == raw["_id"]) is not None:
                continue
            response = Response.model_validate(raw)

            async def work(session: AsyncClientSession, found: Response = response) -> bool:
                return await self.open_for(found, session) is not None

            try:
                opened += int(await in_transaction(client, work))
            except DuplicateKeyError:
                continue  # opened meanwhile by another lift
        return opened

    async def get(self, follow_up_id: str) -> FollowUp:
        found = (
            await FollowUp.get(PydanticObjectId(follow_up_id))
            if PydanticObjectId.is_valid(follow_up_id)
            else None
        )
        if found is None:
            raise NotFound("Follow-up", "id")
        return found

    async def response_of(self, follow_up: FollowUp) -> Response | None:
        return await Response.get(follow_up.response_id)

    async def responses_by_ids(
        self, ids: list[PydanticObjectId]
    ) -> dict[PydanticObjectId, Response]:
        found = await Response.find({"_id": {"$in": list(ids)}}).to_list()
        return {response.id: response for response in found if response.id is not None}

    async def responses_in_order(self, ids: list[PydanticObjectId]) -> list[Response | None]:
        """Responses for a DataLoader: one query, in the order of `ids`."""
        found = await self.responses_by_ids(ids)
        return [found.get(response_id) for response_id in ids]

    async def follow_up_ids_in_order(
        self, response_ids: list[PydanticObjectId]
    ) -> list[str | None]:
        """The follow-up id of each response (None when it has none), for a DataLoader."""
        found = await follow_ups.ids_by_response(list(response_ids))
        return [found.get(response_id) for response_id in response_ids]

    async def list_follow_ups(
        self,
        status: FollowUpStatus | None = None,
        claimed_by: str | None = None,
        limit: int = 50,
        oldest_first: bool = True,
    ) -> list[FollowUp]:
        query: dict[str, Any] = {}
        if status is not None:
            query["status"] = FollowUpStatus(status).value
        if claimed_by is not None:
            query["claimed_by.id"] = str(claimed_by)
        order = "+created_at" if oldest_first else "-created_at"
        return await FollowUp.find(query).sort(order, "+_id").limit(limit).to_list()

    async def worklist(self, wanted: WorklistFilter, limit: int) -> Worklist:
        """Up to `limit` follow-ups, those with a Slack message first: the ones people
        can open and act on come before the ones still waiting to be posted."""
        query: dict[str, Any] = {"status": FollowUpStatus(wanted.status).value}
        if wanted.claimed_by is not None:
            query["claimed_by.id"] = str(wanted.claimed_by)
        if wanted.survey_key is not None:
            query["survey_key"] = str(wanted.survey_key)
        in_slack: dict[str, Any] = {"posts.0": {"$exists": True}}
        if wanted.channel_id is not None:
            query["channels"] = str(wanted.channel_id)
            in_slack = {"posts.channel_id": str(wanted.channel_id)}
        shown = (
            await FollowUp.find({**query, **in_slack})
            .sort("+created_at", "+_id")
            .limit(limit)
            .to_list()
        )
        if len(shown) < limit:
            shown += (
                await FollowUp.find({**query, "$nor": [in_slack]})
                .sort("+created_at", "+_id")
                .limit(limit - len(shown))
                .to_list()
            )
        return Worklist(shown, await FollowUp.find(query).count())

    async def page_follow_ups(
        self,
        max_page_size: int,
        status: FollowUpStatus | None = None,
        claimed_by: str | None = None,
        first: int = 50,
        after: str | None = None,
        newest_first: bool = False,
    ) -> paging.Page[FollowUp]:
        """Follow-ups, oldest (or newest) first, `first` at a time after the cursor
        `after`."""
        query: dict[str, Any] = {}
        if status is not None:
            query["status"] = FollowUpStatus(status).value
        if claimed_by is not None:
            query["claimed_by.id"] = str(claimed_by)
        return await paging.page(
            FollowUp,
            query,
            [
                paging.SortKey("created_at", not newest_first),
                paging.SortKey("_id", not newest_first),
            ],
            lambda item: [item.created_at, paging.id_of(item)],
            first,
            after,
            max_page_size,
        )

    async def record_change(
        self,
        change: Callable[[AsyncClientSession], Awaitable[Raw | None]],
        action: FollowUpAction,
        by: Actor,
        to: Actor | None = None,
    ) -> FollowUp | None:
        """Make a store change (`change`, given the session), and in the same
        transaction queue the follow-up's Slack message updates and the thread reply
        about it and record its live event: all of them or none, so a process dying
        just after a claim cannot leave Slack showing the follow-up unclaimed. The
        follow-up after the change; None when it did not change."""

        async def work(session: AsyncClientSession) -> FollowUp | None:
            raw = await change(session)
            if raw is None:
                return None
            changed: FollowUp = FollowUp.model_validate(raw)
            await self._queue_update(changed, session=session)
            await announce_change(changed.id, self.clock.now(), session)
            await announce(self.outbox, changed, action, by, to, session)
            return changed

        changed: FollowUp | None = await in_transaction(follow_ups.STORE.client(), work)
        if changed is not None:
            self.outbox.wakeup.set()  # committed: the dispatcher finds the messages now
        return changed

    async def _announce(self, follow_up: FollowUp) -> None:
        """A live event for the console's live pages of every hub process, right after
        the change, as its Slack update is queued (a new follow-up is announced by its
        comment's live event)."""
        await announce_change(follow_up.id, self.clock.now())

    async def _queue_update(
        self,
        follow_up: FollowUp,
        reason: str = "changed",
        session: AsyncClientSession | None = None,
    ) -> None:
        """Queue a rebuild of the Slack messages from the database state."""
        if not follow_up.channels:
            return
        await self.outbox.enqueue(
            UPDATE,
            f"{UPDATE}:{follow_up.id}:{follow_up.version}:{reason}",
            follow_up.channels[0],
            {"follow_up_id": str(follow_up.id)},
            subject_ids=[follow_up.subject_id],
            session=session,
        )

    async def refresh_messages(self, follow_up: FollowUp) -> None:
        """Queue the rebuild of the Slack messages after a change that another service
        made to the follow-up (a reply to the customer)."""
        await self._queue_update(follow_up)
        await self._announce(follow_up)

    async def claim(self, follow_up_id: str, actor: Actor) -> FollowUp:
        """Atomic: of any number of simultaneous claims exactly one wins; the others
        get AlreadyClaimed naming the winner."""
        current = await self.get(follow_up_id)
        claimed = await self.record_change(
            lambda session: follow_ups.claim(
                current.id, actor.model_dump(), self.clock.now(), session
            ),
            FollowUpAction.CLAIMED,
            actor,
        )
        if claimed is not None:
            return claimed
        latest = await self.get(follow_up_id)
        if latest.status is FollowUpStatus.RESOLVED:
            raise Conflict(ErrorCode.ALREADY_RESOLVED, "The follow-up is resolved.", "id")
        raise AlreadyClaimed(latest.claimed_by)

    async def unclaim(self, follow_up_id: str, actor: Actor, is_admin: bool) -> FollowUp:
        """Only the claimer or an admin may hand a follow-up back."""
        current = await self.get(follow_up_id)
        released = await self.record_change(
            lambda session: follow_ups.unclaim(current.id, None if is_admin else actor.id, session),
            FollowUpAction.UNCLAIMED,
            actor,
        )
        if released is not None:
            return released
        latest = await self.get(follow_up_id)
        if latest.status is FollowUpStatus.CLAIMED:
            raise Conflict(ErrorCode.NOT_CLAIMER, "Only the claimer or an admin may unclaim.", "id")
        if latest.status is FollowUpStatus.RESOLVED:
            raise Conflict(ErrorCode.ALREADY_RESOLVED, "The follow-up is resolved.", "id")
        raise Conflict(ErrorCode.INVALID_TRANSITION, "The follow-up is not claimed.", "id")

    async def resolve(
        self,
        follow_up_id: str,
        actor: Actor,
        note: str,
        customer_informed: bool,
        is_admin: bool = False,
    ) -> FollowUp:
        """Resolve with a note. An open follow-up may be resolved by anyone; a claimed
        one only by its claimer or an admin."""
        text = validation.bounded_text(note, "note", "A note", MAX_NOTE_LENGTH)
        current = await self.get(follow_up_id)
        now = self.clock.now()
        resolution = {
            "by": actor.model_dump(),
            "note": text,
            "customer_informed": customer_informed,
            "resolved_at": now,
        }
        resolved = await self.record_change(
            lambda session: follow_ups.resolve(
                current.id,
                None if is_admin else actor.id,
                resolution,
                actor.model_dump() if current.claimed_by is None else None,
                now,
                session,
            ),
            FollowUpAction.RESOLVED,
            actor,
        )
        if resolved is not None:
            return resolved
        latest = await self.get(follow_up_id)
        if latest.status is FollowUpStatus.RESOLVED:
            raise Conflict(ErrorCode.ALREADY_RESOLVED, "The follow-up is resolved.", "id")
        raise AlreadyClaimed(latest.claimed_by)

    async def may_resolve(self, follow_up_id: str, actor: Actor, is_admin: bool) -> FollowUp:
        """The follow-up, when `actor` may resolve it now; else the error resolve gives."""
        follow_up = await self.get(follow_up_id)
        if follow_up.status is FollowUpStatus.RESOLVED:
            raise Conflict(ErrorCode.ALREADY_RESOLVED, "The follow-up is resolved.", "id")
        if (
            follow_up.status is FollowUpStatus.CLAIMED
            and not is_admin
            and (follow_up.claimed_by is None or follow_up.claimed_by.id != actor.id)
        ):
            raise AlreadyClaimed(follow_up.claimed_by)
        return follow_up

    def contact_for(
        self, follow_up: FollowUp, response: Response | None, viewer_id: str
    ) -> UserIdentity | None:
        """The customer's contact details, for the one who claimed the follow-up."""
        if (
            response is None
            or follow_up.redacted
            or follow_up.claimed_by is None
            or follow_up.claimed_by.id != viewer_id
        ):
            return None
        return response.user

    async def record_post(
        self, follow_up_id: str, channel_id: str, ts: str, kind: PostKind
    ) -> FollowUp | None:
        """Remember where a Slack message about the follow-up is (once per message)."""
        post = SlackPost(channel_id=channel_id, ts=ts, kind=kind, posted_at=self.clock.now())
        if not PydanticObjectId.is_valid(follow_up_id):
            return None
        oid = PydanticObjectId(follow_up_id)
        await follow_ups.add_one_post(oid, channel_id, ts, post.model_dump())
        return await FollowUp.get(oid)

    async def record_digest_post(
        self, follow_up_ids: list[PydanticObjectId], channel_id: str, ts: str
    ) -> None:
        """Remember, in one write, that these follow-ups are lines of one digest."""
        post = SlackPost(
            channel_id=channel_id, ts=ts, kind=PostKind.DIGEST, posted_at=self.clock.now()
        )
        await follow_ups.add_post(list(follow_up_ids), channel_id, ts, post.model_dump())

    async def by_ids(self, ids: list[str]) -> list[FollowUp]:
        """The follow-ups that exist among `ids`, in the order of `ids`."""
        valid = [PydanticObjectId(i) for i in ids if PydanticObjectId.is_valid(i)]
        found = {f.id: f for f in await FollowUp.find({"_id": {"$in": valid}}).to_list()}
        return [found[i] for i in valid if i in found]

    async def in_slack_message(self, channel_id: str, ts: str) -> list[FollowUp]:
        """The follow-ups a Slack message is about (several for a digest), oldest first."""
        return (
            await FollowUp.find({"posts": {"$elemMatch": {"channel_id": channel_id, "ts": ts}}})
            .sort("+created_at", "+_id")
            .to_list()
        )

    async def is_digest(self, channel_id: str, ts: str) -> bool:
        """Whether the Slack message is a digest of follow-ups."""
        digest = await FollowUp.find(
            {"posts": {"$elemMatch": {"channel_id": channel_id, "ts": ts, "kind": "DIGEST"}}}
        ).count()
        return digest > 0

    async def count_by_status(self) -> dict[FollowUpStatus, int]:
        """How many follow-ups are in each status (each count runs on the status index)."""
        return await follow_ups.count_by_status()

    async def requeue_update(self, follow_up: FollowUp, posted_ts: str) -> None:
        """Queue a message update: the post `posted_ts` was rendered from an older
        version, and the update queued for the newer one may have run before the post
        was recorded."""
        await self._queue_update(follow_up, reason=f"posted-{posted_ts}")

    async def post_pending(self, follow_up: FollowUp, channel: str) -> bool:
        """Whether the follow-up's message to `channel` is still to be posted (held
        posts too: they go out once their cause is fixed)."""
        waiting = [
            OutboxStatus.PENDING.value,
            OutboxStatus.IN_FLIGHT.value,
            OutboxStatus.HELD.value,
        ]
        found = await OutboxMessage.find(
            {"key": f"{POST}:{follow_up.id}:{channel}", "status": {"$in": waiting}}
        ).count()
        return found > 0

    async def pending_posts(self, channel: str, limit: int) -> list[OutboxMessage]:
        return (
            await OutboxMessage.find(
                {"kind": POST, "channel": channel, "status": OutboxStatus.PENDING.value}
            )
            .sort("+created_at", "+_id")
            .limit(limit)
            .to_list()
        )

    async def redact_subject(self, user_id: str) -> int:
        """Redact every Slack message about a person: queued posts are dropped and each
        posted message is replaced by a redacted text (chat.update, via the outbox).
        Returns how many messages will be redacted. Running it again redacts nothing new."""
        await self.outbox.drop_for_subject(user_id)
        about = await FollowUp.find(FollowUp.subject_id == user_id).to_list()
        queued = 0
        for follow_up in about:
            if not follow_up.redacted:
                await follow_ups.mark_redacted(follow_up.id)
            for post in follow_up.posts:
                if await self.outbox.enqueue(
                    REDACT,
                    f"{REDACT}:{post.channel_id}:{post.ts}",
                    post.channel_id,
                    {"channel_id": post.channel_id, "ts": post.ts},
                ):
                    queued += 1
        log.info("queued redaction of %d Slack messages about one subject", queued)
        return queued

    async def refresh_subject(self, user_id: str) -> int:
        """Rebuild the Slack messages about a person from the database, after their
        data was corrected (rectification). Returns how many follow-ups are affected."""
        about = await FollowUp.find(FollowUp.subject_id == user_id).to_list()
        for follow_up in about:
            await self._queue_update(follow_up, reason=f"refresh-{self.clock.now().isoformat()}")
        return len(about)


def summarise(distribution: Iterable[ScoreCount]) -> list[MetricSummary]:
    """NPS, CSAT and CES with counts, from the responses per score value (the
    analytics figures, so people taken out of analytics are not counted)."""
    counts: dict[Metric, dict[int, int]] = {}
    for found in distribution:
        if found.count:
            counts.setdefault(found.metric, {})[found.score] = found.count
    summaries = []
    for metric in Metric:
        by_score = counts.get(metric)
        if not by_score:
            continue
        total = sum(by_score.values())

        def share(
            band: tuple[int, int], scores: dict[int, int] = by_score, total: int = total
        ) -> float:
            low, high = band
            hits = sum(n for score, n in scores.items() if low <= score <= high)
            return 100.0 * hits / total

        metric_bands = bands(metric)
        good, bad = share(metric_bands.favourable), share(metric_bands.unfavourable)
        if metric is Metric.NPS:
            score = good - bad
        elif metric is Metric.CSAT:
            score = good
        else:
            score = sum(s * n for s, n in by_score.items()) / total
        summaries.append(MetricSummary(metric, total, round(score, 1), good, bad))
    return summaries


class FollowUpListener(ResponseListener):
    """Opens a follow-up when a response gets its comment, in the same transaction."""

    def __init__(self, follow_ups: FollowUpService) -> None:
        self.follow_ups = follow_ups

    async def comment_submitted(self, response: Response, session: AsyncClientSession) -> None:
        await self.follow_ups.open_for(response, session)
