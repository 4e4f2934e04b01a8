"""The business rules. Only services read and write documents."""

from __future__ import annotations

from dataclasses import dataclass

from hub.clock import Clock
from hub.services.analytics import AnalyticsListener, AnalyticsService
from hub.services.events import EventBus
from hub.services.exports import ExportService
from hub.services.keys import KeyService
from hub.services.outbox import Dispatcher, OutboxService
from hub.services.responses import ResponseService
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
    analytics: AnalyticsService
    exports: ExportService

    @classmethod
    def build(cls, settings: Settings, clock: Clock) -> Services:
        surveys = SurveyService(clock)
        throttling = ThrottlingService(clock, settings)
        outbox = OutboxService(clock)
        analytics = AnalyticsService(clock, EventBus())
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
                listeners=[AnalyticsListener(analytics)],
            ),
            outbox=outbox,
            dispatcher=Dispatcher(outbox, settings.outbox_poll_seconds),
            analytics=analytics,
            exports=ExportService(clock, settings.export_link_seconds),
        )
