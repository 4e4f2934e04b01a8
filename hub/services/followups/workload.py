"""One employee's workload, for the Slack App Home: the follow-ups they have claimed,
the open ones in the channels they are in (oldest first), and their team's figures.

Which channels someone is in is Slack's to say (the bot asks it); what a "team" means
here follows from that: the people in the channels a follow-up is posted to. Their
figures are those of the surveys whose follow-ups reached those channels in the
period, or of every survey when none did."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from beanie import PydanticObjectId

from hub.clock import Clock
from hub.models.followup import FollowUp, FollowUpStatus
from hub.models.response import Response
from hub.services.analytics.analytics import AnalyticsService
from hub.services.analytics.criteria import AnalyticsFilter
from hub.services.followups.followups import FollowUpService, MetricSummary, summarise
from hub.services.followups.stores import follow_ups

FIGURES_DAYS = 30


@dataclass(frozen=True)
class Overview:
    """What an employee's App Home shows; `*_more` count what did not fit."""

    now: datetime
    claimed: list[FollowUp]
    claimed_more: int
    open: list[FollowUp]
    open_more: int
    responses: dict[PydanticObjectId, Response]
    team_survey_keys: list[str]  # empty: the figures are of every survey
    figures: list[MetricSummary]


class Workload:
    def __init__(
        self, clock: Clock, follow_ups: FollowUpService, analytics: AnalyticsService
    ) -> None:
        self.clock = clock
        self.follow_ups = follow_ups
        self.analytics = analytics

    def since(self) -> datetime:
        return self.clock.now() - timedelta(days=FIGURES_DAYS)

    async def channels(self) -> list[str]:
        """The channels an App Home may have to look at: where the open follow-ups
        and those of the period are posted. The caller keeps those the employee is in."""
        return await follow_ups.post_channels_since(self.since())

    async def overview(self, actor_id: str, channels: list[str], limit: int) -> Overview:
        """The workload of `actor_id` (`slack:<user id>`), who is in `channels`: at
        most `limit` follow-ups in each list, oldest first."""
        claimed_query: dict[str, Any] = {
            "status": FollowUpStatus.CLAIMED.value,
            "claimed_by.id": actor_id,
        }
        open_query: dict[str, Any] = {
            "status": FollowUpStatus.OPEN.value,
            "posts.channel_id": {"$in": channels},
        }
        claimed = await self._oldest(claimed_query, limit)
        open_ones = await self._oldest(open_query, limit) if channels else []
        claimed_total = await FollowUp.find(claimed_query).count()
        open_total = await FollowUp.find(open_query).count() if channels else 0
        since = self.since()
        keys = await follow_ups.survey_keys_posted_in(channels, since) if channels else []
        distribution = await self.analytics.score_distribution(
            AnalyticsFilter(survey_keys=keys or None, date_from=since)
        )
        responses = await self.follow_ups.responses_by_ids(
            [follow_up.response_id for follow_up in [*claimed, *open_ones]]
        )
        return Overview(
            now=self.clock.now(),
            claimed=claimed,
            claimed_more=claimed_total - len(claimed),
            open=open_ones,
            open_more=open_total - len(open_ones),
            responses=responses,
            team_survey_keys=keys,
            figures=summarise(distribution),
        )

    @staticmethod
    async def _oldest(query: dict[str, Any], limit: int) -> list[FollowUp]:
        return await FollowUp.find(query).sort("+created_at", "+_id").limit(limit).to_list()
