"""Prometheus metrics: what the hub did (requests, deliveries) counted in the process,
and what it holds (outbox backlog, follow-ups) read from the database at each scrape,
so every process reports the same backlog whichever one is scraped.

`/metrics` is served on the main port behind `HUB_METRICS_TOKEN`, or on its own port
(`HUB_METRICS_PORT`), or both; with neither set it is not served at all."""

from __future__ import annotations

import hmac
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from hub.models.outbox import OutboxMessage, OutboxStatus
from hub.server.runtime import embedded_status
from hub.services import Services
from hub.services.followups.held import REASONS
from hub.services.platform.outbox import (
    BatchHandler,
    Delivered,
    Dispatcher,
    GiveUp,
    Handler,
    Hold,
    Outcome,
    RetryLater,
)
from hub.settings import Settings

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


@dataclass
class Snapshot:
    """Numbers read from the database just before a scrape."""

    outbox_depth: dict[tuple[str, str, str], int] = field(default_factory=dict)
    outbox_oldest: dict[tuple[str, str], float] = field(default_factory=dict)
    follow_ups: dict[str, int] = field(default_factory=dict)
    rights_open: dict[str, int] = field(default_factory=dict)
    rights_overdue: int = 0
    retention_runs: int = 0
    retention_changes: dict[str, int] = field(default_factory=dict)
    slack_held: dict[str, int] = field(default_factory=dict)


class DatabaseCollector(Collector):
    """Yields the last snapshot as gauges (collectors are synchronous; the endpoint
    refreshes the snapshot asynchronously before rendering)."""

    def __init__(self) -> None:
        self.snapshot = Snapshot()

    def collect(self) -> Iterable[Metric]:
        depth = GaugeMetricFamily(
            "hub_outbox_messages",
            "Outbox messages not yet delivered, by kind, channel and status.",
            labels=["kind", "channel", "status"],
        )
        for (kind, channel, status), count in sorted(self.snapshot.outbox_depth.items()):
            depth.add_metric([kind, channel, status], count)
        yield depth
        age = GaugeMetricFamily(
            "hub_outbox_oldest_age_seconds",
            "Age of the oldest undelivered outbox message, by kind and channel.",
            labels=["kind", "channel"],
        )
        for (kind, channel), seconds in sorted(self.snapshot.outbox_oldest.items()):
            age.add_metric([kind, channel], seconds)
        yield age
        follow_ups = GaugeMetricFamily(
            "hub_follow_ups", "Follow-ups by status (open, claimed, resolved).", labels=["status"]
        )
        for status, count in sorted(self.snapshot.follow_ups.items()):
            follow_ups.add_metric([status], count)
        yield follow_ups
        held = GaugeMetricFamily(
            "hub_slack_held",
            "Slack messages held for a reason a person can fix (the Slack error code; "
            "`other` for any code outside the known set), until the cause is gone.",
            labels=["reason"],
        )
        for reason, count in sorted(self.snapshot.slack_held.items()):
            held.add_metric([reason], count)
        yield held
        rights = GaugeMetricFamily(
            "hub_rights_requests_open",
            "Data-subject rights requests not yet completed, rejected or canceled, by status.",
            labels=["status"],
        )
        for status, count in sorted(self.snapshot.rights_open.items()):
            rights.add_metric([status], count)
        yield rights
        yield GaugeMetricFamily(
            "hub_rights_requests_overdue",
            "Open rights requests whose due date has passed.",
            value=self.snapshot.rights_overdue,
        )
        yield GaugeMetricFamily(
            "hub_retention_runs",
            "Retention runs that changed data (dry runs left out), from the audit log.",
            value=self.snapshot.retention_runs,
        )
        changed = GaugeMetricFamily(
            "hub_retention_changed",
            "What retention runs have changed in all: responses, displays and follow-ups "
            "anonymised; displays, logins, links, people, contact states and outbox "
            "messages deleted; delivered outbox messages cleared.",
            labels=["what"],
        )
        for what, count in sorted(self.snapshot.retention_changes.items()):
            changed.add_metric([what], count)
        yield changed


class EmbeddedDatabaseCollector(Collector):
    """The embedded database's restarts, as its supervisor announced them in the data
    folder (under `serve --workers` it runs in the parent process, not the worker
    scraped). Nothing is yielded for an external database."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def collect(self) -> Iterable[Metric]:
        status = embedded_status(self.settings)
        if status is None:
            return
        restarts = CounterMetricFamily(
            "hub_embedded_database_restarts",
            "Attempts to start the embedded database again after it died, by result "
            "(restarted, failed).",
            labels=["result"],
        )
        restarts.add_metric(["restarted"], status.restarts)
        restarts.add_metric(["failed"], status.failed_restarts)
        yield restarts
        yield GaugeMetricFamily(
            "hub_embedded_database_healthy",
            "1 while the embedded database runs or may still be started again; 0 once "
            "its supervisor gave up (then /healthz answers 503).",
            value=int(status.healthy),
        )


class HubMetrics:
    """The hub's metric families, in a registry of their own (one per app)."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.clock = services.clock
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "hub_requests",
            "HTTP requests by GraphQL operation (or path) and outcome.",
            ["operation", "outcome"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "hub_request_duration_seconds",
            "Time to answer a request, by GraphQL operation (or path) and outcome.",
            ["operation", "outcome"],
            registry=self.registry,
        )
        self.deliveries = Counter(
            "hub_outbox_deliveries",
            "Outbox delivery attempts by kind and result (delivered, retry, held, failed).",
            ["kind", "result"],
            registry=self.registry,
        )
        self.database = DatabaseCollector()
        self.registry.register(self.database)
        self.embedded = EmbeddedDatabaseCollector(services.settings)
        self.registry.register(self.embedded)

    def observe_request(self, operation: str, outcome: str, seconds: float) -> None:
        self.requests.labels(operation, outcome).inc()
        self.latency.labels(operation, outcome).observe(seconds)

    def meter(self, dispatcher: Dispatcher) -> None:
        """Count the outcome of every delivery attempt of the dispatcher's handlers."""
        for kind, handler in list(dispatcher.handlers.items()):
            dispatcher.handlers[kind] = self._metered(kind, handler)
        for kind, batch_handler in list(dispatcher.batch_handlers.items()):
            dispatcher.batch_handlers[kind] = self._metered_batch(kind, batch_handler)

    def _metered(self, kind: str, handler: Handler) -> Handler:
        async def deliver(message: OutboxMessage) -> Outcome:
            try:
                outcome = await handler(message)
            except Exception:
                self.deliveries.labels(kind, "retry").inc()
                raise
            self.deliveries.labels(kind, _result(outcome)).inc()
            return outcome

        return deliver

    def _metered_batch(self, kind: str, handler: BatchHandler) -> BatchHandler:
        async def deliver(messages: list[OutboxMessage]) -> list[Outcome | None]:
            try:
                outcomes = await handler(messages)
            except Exception:
                self.deliveries.labels(kind, "retry").inc(len(messages))
                raise
            for outcome in outcomes:
                if outcome is not None:
                    self.deliveries.labels(kind, _result(outcome)).inc()
            return outcomes

        return deliver

    async def refresh(self) -> None:
        """Read the backlog and follow-up counts from the database."""
        now = self.clock.now()
        snapshot = Snapshot()
        for row in await self.services.outbox.backlog():
            key = (row.kind, row.channel)
            snapshot.outbox_depth[(*key, row.status.value.lower())] = row.count
            if row.status in (OutboxStatus.PENDING, OutboxStatus.IN_FLIGHT):
                age = max((now - row.oldest).total_seconds(), 0.0)
                snapshot.outbox_oldest[key] = max(snapshot.outbox_oldest.get(key, 0.0), age)
        for status, count in (await self.services.follow_ups.count_by_status()).items():
            snapshot.follow_ups[status.value.lower()] = count
        snapshot.slack_held = dict.fromkeys(sorted(REASONS), 0)
        for hold in await self.services.slack_holds.holds():
            reason = hold.reason.code if hold.reason.code in REASONS else "other"
            snapshot.slack_held[reason] = snapshot.slack_held.get(reason, 0) + hold.count
        rights = await self.services.rights.open_counts()
        for rights_status, count in rights.by_status.items():
            snapshot.rights_open[rights_status.value.lower()] = count
        snapshot.rights_overdue = rights.overdue
        retention = await self.services.retention.totals()
        snapshot.retention_runs = retention.runs
        snapshot.retention_changes = retention.changes
        self.database.snapshot = snapshot

    def render(self) -> bytes:
        """The text format. With several worker processes (PROMETHEUS_MULTIPROC_DIR set
        by `serve --workers`), the counters of all of them are added up."""
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            combined = CollectorRegistry()
            MultiProcessCollector(combined)  # type: ignore[no-untyped-call]
            combined.register(self.database)
            combined.register(self.embedded)
            return generate_latest(combined)
        return generate_latest(self.registry)


def _result(outcome: Outcome) -> str:
    if isinstance(outcome, Delivered):
        return "delivered"
    if isinstance(outcome, RetryLater):
        return "retry"
    if isinstance(outcome, Hold):
        return "held"
    assert isinstance(outcome, GiveUp)
    return "failed"


def metrics_endpoint(metrics: HubMetrics, token: str | None) -> Any:
    """The `/metrics` handler; with a token, only callers presenting it are answered."""

    async def endpoint(request: Request) -> Response:
        if token is not None:
            given = request.headers.get("authorization", "").partition(" ")[2].strip()
            if not hmac.compare_digest(given.encode(), token.encode()):
                return PlainTextResponse(
                    "metrics need the token from HUB_METRICS_TOKEN (Authorization: Bearer …)\n",
                    status_code=401,
                    headers={"www-authenticate": "Bearer"},
                )
        started = time.monotonic()
        await metrics.refresh()
        body = metrics.render()
        headers = {"x-scrape-seconds": f"{time.monotonic() - started:.3f}"}
        return Response(body, media_type=CONTENT_TYPE, headers=headers)

    return endpoint
