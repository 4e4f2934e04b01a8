"""The business rules. Only services read and write documents."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import timedelta

from hub.clock import Clock
from hub.server_secret import server_secret
from hub.services.access.console import ConsoleAccess
from hub.services.access.keys import KeyService
from hub.services.analytics.analytics import AnalyticsService
from hub.services.analytics.exports import ExportService
from hub.services.analytics.rollups import AnalyticsListener, AnalyticsSubjectHook
from hub.services.channels.invitations import InvitationService
from hub.services.channels.links import LinkService
from hub.services.channels.mail import EMAIL_KIND, MailService
from hub.services.followups.direct import DirectMessages
from hub.services.followups.followups import FollowUpListener, FollowUpService
from hub.services.followups.handover import HandoverService
from hub.services.followups.held import SlackHolds
from hub.services.followups.notes import NoteService
from hub.services.followups.reminders import ReminderService
from hub.services.followups.replies import CustomerReplies
from hub.services.followups.routing import RoutingService
from hub.services.followups.slack import SlackBookkeeping
from hub.services.followups.workload import Workload
from hub.services.platform.deliveries import DeliveryLog
from hub.services.platform.leases import JobLeases, Scheduler
from hub.services.platform.outbox import Dispatcher, OutboxService
from hub.services.privacy.audit import AuditService
from hub.services.privacy.erasure_ledger import ErasureLedger
from hub.services.privacy.execution import PrivacyService, SubjectHooks, SuppressedSubjects
from hub.services.privacy.exports import PrivacyExports
from hub.services.privacy.ledger_reapply import LedgerReapply
from hub.services.privacy.retention import RetentionService
from hub.services.privacy.rights import RightsRequestService
from hub.services.privacy.rights_messages import RightsMessages
from hub.services.privacy.rights_verification import RightsVerification
from hub.services.privacy.suppression import SuppressionService
from hub.services.surveys.surveys import SurveyService
from hub.services.themes.catalog import ThemeCatalog, ThemeService
from hub.services.themes.jobs import ThemeJobRunner
from hub.services.themes.listeners import ThemeTagListener
from hub.services.themes.suggestions import ThemeSuggestions
from hub.services.themes.tagger import CommentsToTag, ThemeTagger
from hub.services.widget.events import EventBus, EventRelay
from hub.services.widget.responses import ResponseService
from hub.services.widget.throttling import ThrottlingService
from hub.settings import Settings


@dataclass(frozen=True)
class Services:
    settings: Settings
    clock: Clock
    keys: KeyService
    console: ConsoleAccess
    surveys: SurveyService
    throttling: ThrottlingService
    responses: ResponseService
    outbox: OutboxService
    deliveries: DeliveryLog
    dispatcher: Dispatcher
    routing: RoutingService
    follow_ups: FollowUpService
    replies: CustomerReplies
    workload: Workload
    reminders: ReminderService
    handover: HandoverService
    notes: NoteService
    slack: SlackBookkeeping
    slack_holds: SlackHolds
    direct_messages: DirectMessages
    suppressions: SuppressionService
    mail: MailService
    links: LinkService
    invitations: InvitationService
    leases: JobLeases
    scheduler: Scheduler
    audit: AuditService
    rights: RightsRequestService
    subject_hooks: SubjectHooks
    privacy: PrivacyService
    retention: RetentionService
    rights_verification: RightsVerification
    analytics: AnalyticsService
    relay: EventRelay
    exports: ExportService
    erasure_ledger: ErasureLedger
    # One catalog for the whole process, so that `forget` after a change of the themes
    # reaches every reader (routing, Slack, the tagger).
    theme_catalog: ThemeCatalog
    themes: ThemeService
    tagger: ThemeTagger
    theme_jobs: ThemeJobRunner
    theme_suggestions: ThemeSuggestions
    # Set when the process is asked to stop (hub/server/stopping.py): responses that
    # stream until the client goes (the console's live events) end on it.
    stopping: asyncio.Event = field(default_factory=asyncio.Event)

    @classmethod
    def build(cls, settings: Settings, clock: Clock) -> Services:
        secret = server_secret(settings)
        surveys = SurveyService(clock, settings.cache_seconds)
        suppressions = SuppressionService(clock, secret)
        throttling = ThrottlingService(clock, settings, suppressions)
        outbox = OutboxService(clock)
        leases = JobLeases(clock)
        analytics = AnalyticsService(
            clock, EventBus(), surveys, leases, settings.rollup_fold_interval_ms / 1000
        )
        # Told of every change of a comment's tags, by the tagger and the re-tag jobs.
        theme_listeners: list[ThemeTagListener] = [analytics.theme_listener]
        theme_catalog = ThemeCatalog(settings.cache_seconds)
        routing = RoutingService(clock, theme_catalog, settings.cache_seconds)
        tagger = ThemeTagger(
            leases, theme_catalog, theme_listeners, settings.theme_tag_interval_ms / 1000
        )
        theme_jobs = ThemeJobRunner(clock, leases, theme_catalog, theme_listeners)
        follow_ups = FollowUpService(
            clock, outbox, routing, suppression=SuppressedSubjects(suppressions)
        )
        responses = ResponseService(
            clock,
            surveys,
            throttling,
            settings.max_page_size,
            listeners=[
                FollowUpListener(follow_ups),
                AnalyticsListener(analytics.rollups, analytics.folder.wake),
                CommentsToTag(tagger.wake),
            ],
            write_timeout=settings.write_timeout_ms / 1000,
        )
        dispatcher = Dispatcher(outbox, settings.outbox_poll_seconds)
        mail = MailService(outbox, settings)
        if mail.configured:  # otherwise e-mails wait in the outbox until SMTP is set
            dispatcher.register(EMAIL_KIND, mail.deliver)
        audit = AuditService(clock, secret)
        privacy_exports = PrivacyExports(clock, settings, secret)
        rights = RightsRequestService(
            clock,
            audit,
            suppressions,
            messages=RightsMessages(clock, settings, mail, privacy_exports, audit),
        )
        subject_hooks = SubjectHooks()
        subject_hooks.register(AnalyticsSubjectHook(analytics.rollups))
        erasure_ledger = ErasureLedger(clock, settings.resolved_erasure_ledger_path())
        links = LinkService(
            clock, settings, secret, surveys, responses, suppressions, outbox, erasure_ledger
        )
        scheduler = Scheduler(leases, settings.job_poll_seconds)
        retention = RetentionService(clock, settings, audit, follow_ups, outbox, leases)
        if settings.retention_daily:
            scheduler.every("retention", timedelta(days=1), retention.run_scheduled)
        reminders = ReminderService(clock, outbox, routing)
        scheduler.every(
            "follow-up-reminders",
            timedelta(seconds=settings.reminder_check_seconds),
            reminders.run_scheduled,
        )
        keys = KeyService(clock, settings.cache_seconds)
        return cls(
            settings=settings,
            clock=clock,
            keys=keys,
            console=ConsoleAccess(
                clock,
                keys,
                idle=timedelta(minutes=settings.console_idle_minutes),
                longest=timedelta(hours=settings.console_session_hours),
            ),
            surveys=surveys,
            throttling=throttling,
            responses=responses,
            outbox=outbox,
            deliveries=DeliveryLog(settings.max_page_size),
            dispatcher=dispatcher,
            routing=routing,
            follow_ups=follow_ups,
            replies=CustomerReplies(clock, follow_ups, routing, mail, suppressions),
            workload=Workload(clock, follow_ups, analytics),
            reminders=reminders,
            handover=HandoverService(follow_ups),
            notes=NoteService(clock),
            slack=SlackBookkeeping(clock, timedelta(seconds=settings.slack_user_cache_seconds)),
            slack_holds=SlackHolds(clock, outbox, settings.slack_ops_channel),
            direct_messages=DirectMessages(outbox),
            suppressions=suppressions,
            mail=mail,
            links=links,
            invitations=InvitationService(
                clock, surveys, throttling, links, mail, responses, suppressions
            ),
            leases=leases,
            scheduler=scheduler,
            audit=audit,
            rights=rights,
            retention=retention,
            rights_verification=RightsVerification(clock, settings, secret, rights, mail, audit),
            subject_hooks=subject_hooks,
            privacy=PrivacyService(
                clock,
                rights,
                audit,
                suppressions,
                outbox,
                follow_ups,
                privacy_exports,
                subject_hooks,
                erasure_ledger,
            ),
            analytics=analytics,
            relay=EventRelay(analytics.events, analytics.event_of),
            exports=ExportService(clock, settings.export_link_seconds, secret),
            erasure_ledger=erasure_ledger,
            theme_catalog=theme_catalog,
            themes=ThemeService(clock, theme_catalog, theme_jobs.wake),
            tagger=tagger,
            theme_jobs=theme_jobs,
            theme_suggestions=ThemeSuggestions(
                surveys, theme_catalog, settings.theme_suggestion_sample
            ),
        )

    def ledger_reapply(self) -> LedgerReapply:
        """Applies the erasure ledger again (after a restore); see its module."""
        return LedgerReapply(
            self.clock,
            self.erasure_ledger,
            self.privacy,
            self.suppressions,
            self.audit,
            self.leases,
        )
