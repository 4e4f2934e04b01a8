"""The business rules. Only services read and write documents."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from hub.clock import Clock
from hub.services.followups import FollowUpListener, FollowUpService
from hub.services.keys import KeyService
from hub.services.leases import JobLeases, Scheduler
from hub.services.outbox import Dispatcher, OutboxService
from hub.services.responses import ResponseService
from hub.services.routing import RoutingService
from hub.services.slack import SlackBookkeeping
from hub.services.surveys import SurveyService
from hub.services.throttling import ThrottlingService
from hub.settings import Settings


@dataclass(frozen=True)
class Services:
    settings: Settings
    clock: Clock
    keys: KeyService
    surveys: SurveyService
    throttling: ThrottlingService
    responses: ResponseService
    outbox: OutboxService
    dispatcher: Dispatcher
    routing: RoutingService
    follow_ups: FollowUpService
    slack: SlackBookkeeping
    leases: JobLeases
    scheduler: Scheduler

    @classmethod
    def build(cls, settings: Settings, clock: Clock) -> Services:
        surveys = SurveyService(clock)
        throttling = ThrottlingService(clock, settings)
        outbox = OutboxService(clock)
        routing = RoutingService(clock)
        follow_ups = FollowUpService(clock, outbox, routing)
        leases = JobLeases(clock)
        return cls(
            settings=settings,
            clock=clock,
            keys=KeyService(clock),
            surveys=surveys,
            throttling=throttling,
            responses=ResponseService(
                clock,
                surveys,
                throttling,
                settings.max_page_size,
                listeners=[FollowUpListener(follow_ups)],
                write_timeout=settings.write_timeout_ms / 1000,
            ),
            outbox=outbox,
            dispatcher=Dispatcher(outbox, settings.outbox_poll_seconds),
            routing=routing,
            follow_ups=follow_ups,
            slack=SlackBookkeeping(clock, timedelta(seconds=settings.slack_user_cache_seconds)),
            leases=leases,
            scheduler=Scheduler(leases, settings.job_poll_seconds),
        )
