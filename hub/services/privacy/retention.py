"""Retention: personal data is kept no longer than needed, at the latest 3 years.

Every collection the personal-data registry lists with personal data has a retention
rule there (`CollectionEntry.retention`); this run applies the rules in
`APPLIED_BY_THE_RUN`, a TTL index applies EXPIRES.

Responses older than their survey's retention (HUB_RETENTION_DAYS, or less where a
survey says so; 3 calendar years when the setting is unset) are anonymised: the
identity and page address removed, e-mail addresses, phone numbers and URLs scrubbed
out of the comment (its theme tags lose the matched words, and the scrubbed comment
is matched against the themes again); their displays lose the identity and the link
to the response, their survey links are deleted, their follow-ups and the follow-ups'
internal notes lose the person (notes and reasons scrubbed as comments are).
Displays and logins older than the contact rules look back are deleted, and so are
the per-person summaries (`people`, `contact_states`) of people with no display,
answer or login in that time; the contact rules never keep anything longer than 3
years. Delivered outbox messages keep no payload or subject (cleared on delivery;
what an older version left is cleared here); delivered and given-up ones are deleted
after HUB_OUTBOX_RETENTION_DAYS, undelivered ones after 3 years. A dry run counts
without changing anything."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from beanie import PydanticObjectId

from hub.clock import Clock
from hub.errors import Conflict, ErrorCode, NotFound, ValidationFailed
from hub.models.privacy import (
    AuditActor,
    RightsRequest,
    RightsRequestStatus,
)
from hub.models.survey import Survey
from hub.services.channels.stores import survey_links
from hub.services.followups.followups import FollowUpService
from hub.services.followups.stores import follow_up_notes as follow_up_note_store
from hub.services.followups.stores import follow_ups as follow_up_store
from hub.services.platform.leases import JobLeases
from hub.services.platform.outbox import OutboxService
from hub.services.platform.stores import outbox as outbox_store
from hub.services.privacy.audit import SYSTEM, AuditService
from hub.services.privacy.free_text import scrub
from hub.services.privacy.registry import ANONYMOUS_USER, REDACTED, Retention, entry_for
from hub.services.privacy.rights import add_months
from hub.services.privacy.stores import audit_log, rights_requests, survey_retention
from hub.services.surveys.stores import surveys
from hub.services.widget.stores import contact_states as contact_state_store
from hub.services.widget.stores import displays as display_store
from hub.services.widget.stores import logins as login_store
from hub.services.widget.stores import people as person_store
from hub.services.widget.stores import responses as response_store
from hub.settings import Settings

log = logging.getLogger("hub.retention")

DEFAULT_MONTHS = 36
LEASE = "retention"
# Held while a retention run changes data (`JobLeases.exclusive`): one run at a time.
RETENTION_LEASE = "retention.run"
# The contact rules may look back this far at most (3 years and a leap day).
MAX_ACTIVITY_DAYS = 365 * 3 + 1
# The collections whose retention rule this run applies (a test checks the registry
# against it; EXPIRES is a TTL index's, KEEP nobody's).
APPLIED_BY_THE_RUN: dict[Retention, frozenset[str]] = {
    Retention.WITH_RESPONSE: frozenset(
        {"responses", "displays", "follow_ups", "follow_up_notes", "survey_links"}
    ),
    Retention.CONTACT_RULES: frozenset({"displays", "logins"}),
    Retention.WHILE_ACTIVE: frozenset({"people", "contact_states"}),
    Retention.UNTIL_DELIVERED: frozenset({"outbox"}),
    Retention.AFTER_CLOSURE: frozenset({"rights_requests"}),
}
# What a display keeps once its response is anonymised: when and how it was shown
# (for the response rate), the country and product (as the response keeps them).
ANONYMOUS_DISPLAY = {
    "user": ANONYMOUS_USER,
    "context.company": None,
    "context.url": None,
    "response_id": None,
}
CLOSED = (
    RightsRequestStatus.COMPLETED,
    RightsRequestStatus.REJECTED,
    RightsRequestStatus.CANCELED,
)
# What a run's audit entry counts as changed (its details, dry runs aside).
RETENTION_CHANGES = (
    "responses_anonymised",
    "follow_ups_anonymised",
    "displays_deleted",
    "logins_deleted",
    "displays_anonymised",
    "links_deleted",
    "people_deleted",
    "contact_states_deleted",
    "outbox_cleared",
    "outbox_deleted",
    "rights_requests_anonymised",
)


@dataclass(frozen=True)
class RetentionTotals:
    """What retention runs that changed data have changed in all, from the audit log."""

    runs: int = 0
    changes: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class RetentionReport:
    dry_run: bool
    ran_at: datetime
    responses_anonymised: int
    follow_ups_anonymised: int
    displays_deleted: int
    logins_deleted: int
    activity_kept_days: int
    displays_anonymised: int = 0
    links_deleted: int = 0
    people_deleted: int = 0
    contact_states_deleted: int = 0
    outbox_cleared: int = 0
    outbox_deleted: int = 0
    outbox_kept_days: int = 0
    rights_requests_anonymised: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "responses_anonymised": self.responses_anonymised,
            "follow_ups_anonymised": self.follow_ups_anonymised,
            "displays_deleted": self.displays_deleted,
            "logins_deleted": self.logins_deleted,
            "activity_kept_days": self.activity_kept_days,
            "displays_anonymised": self.displays_anonymised,
            "links_deleted": self.links_deleted,
            "people_deleted": self.people_deleted,
            "contact_states_deleted": self.contact_states_deleted,
            "outbox_cleared": self.outbox_cleared,
            "outbox_deleted": self.outbox_deleted,
            "outbox_kept_days": self.outbox_kept_days,
            "rights_requests_anonymised": self.rights_requests_anonymised,
        }


class RetentionService:
    def __init__(
        self,
        clock: Clock,
        settings: Settings,
        audit: AuditService,
        follow_ups: FollowUpService,
        outbox: OutboxService,
        leases: JobLeases,
    ) -> None:
        self.outbox = outbox
        self.leases = leases
        self.follow_ups = follow_ups
        self.clock = clock
        self.settings = settings
        self.audit = audit

    # -- how long

    def expires(self, answered_at: datetime, days: int | None) -> datetime:
        """When a response answered at `answered_at` must lose its identity."""
        if days is None:
            moved = add_months(answered_at.date(), DEFAULT_MONTHS)
            return datetime.combine(moved, answered_at.timetz())
        return answered_at + timedelta(days=days)

    def _days_for(self, survey_days: int | None) -> int | None:
        """The survey's days, never longer than the global maximum."""
        global_days = self.settings.retention_days
        if survey_days is None:
            return global_days
        if global_days is None:
            return survey_days  # kept shorter than 3 years: set_survey_retention checks
        return min(survey_days, global_days)

    async def set_survey_retention(
        self, survey_key: str, days: int | None, actor: AuditActor = SYSTEM
    ) -> int | None:
        """Keep a survey's responses identified for at most `days` (None: the default);
        the audit log says who set it."""
        if await Survey.find_one(Survey.key == survey_key) is None:
            raise NotFound("Survey", "surveyKey")
        if days is not None:
            longest = self.settings.retention_days or 365 * 3 + 1
            if not 1 <= days <= longest:
                raise ValidationFailed(
                    ErrorCode.INVALID_INPUT,
                    f"Retention is 1 to {longest} days (the global maximum).",
                    "days",
                )
        await survey_retention.set_days(survey_key, days)
        await self.audit.record(actor, "retention.survey_set", [survey_key], [], {"days": days})
        return days

    async def activity_days(self) -> int:
        """How far back the contact rules look at displays and logins (never more
        than 3 years: no rule keeps anyone longer)."""
        days = [
            self.settings.global_display_cooldown_days,
            self.settings.global_answer_cooldown_days,
        ]
        async for raw in surveys.contact_rules_of_all():
            rules = raw.get("contact_rules") or {}
            days += [
                int(rules.get("days_after_answer") or 0),
                int(rules.get("days_after_decline") or 0),
                int(rules.get("min_days_between_displays") or 0),
            ]
        return min(max(max(days), 1), MAX_ACTIVITY_DAYS)

    # -- the run

    async def run(self, dry_run: bool, actor: AuditActor) -> RetentionReport:
        """Apply retention now (see the module's doc). A run that changes data holds
        RETENTION_LEASE: while one runs, in this process or another, a second raises
        `Conflict` (ALREADY_RUNNING). A dry run changes nothing and is never held up."""
        if dry_run:
            return await self._run(True, actor)
        async with self.leases.exclusive(RETENTION_LEASE, "A retention run"):
            return await self._run(False, actor)

    async def _run(self, dry_run: bool, actor: AuditActor) -> RetentionReport:
        now = self.clock.now()
        overrides = await survey_retention.overrides()
        keys = await surveys.all_keys()
        responses = follow_ups = displays_anonymised = links = 0
        for survey_key in sorted(set(keys) | set(overrides)):
            days = self._days_for(overrides.get(survey_key))
            # A superset by a day or two, then exact in Python (calendar years).
            earliest = now - timedelta(days=days if days is not None else 365 * 3 - 2)
            cursor = response_store.identified_answered_by(
                survey_key, earliest + timedelta(days=2), ANONYMOUS_USER["id"]
            )
            due = [
                raw async for raw in cursor if self.expires(_aware(raw["answered_at"]), days) <= now
            ]
            responses += len(due)
            if due:
                with_response = await self._with_responses([raw["_id"] for raw in due], dry_run)
                displays_anonymised += with_response[0]
                links += with_response[1]
            if dry_run or not due:
                follow_ups += (
                    await follow_up_store.count_of_responses([raw["_id"] for raw in due])
                    if due
                    else 0
                )
                continue
            for raw in due:
                comment = raw.get("comment")
                # The tags' words came from the comment as written: they go now, and the
                # tagger matches the scrubbed comment again. Their themes stay until it
                # has, so the theme counts change only by what the scrubbing changed.
                await response_store.anonymise(
                    raw["_id"],
                    ANONYMOUS_USER,
                    scrub(comment) if comment else comment,
                    [{**found, "words": []} for found in raw.get("themes") or []],
                    True if comment else None,
                )
            # Their Slack messages show the company and the comment: rebuild them
            # from the anonymised responses (queued before the follow-ups lose the
            # user id that finds them).
            for user_id in sorted({raw["user"]["id"] for raw in due}):
                await self.follow_ups.refresh_subject(user_id)
            noted = follow_up_store.noted_of_responses([raw["_id"] for raw in due])
            async for note in noted:  # the note may quote the person, as the comment may
                await follow_up_store.set_resolution_note(
                    note["_id"], scrub(note["resolution"]["note"])
                )
            # So may the replies sent to them, which also hold their address.
            await follow_up_store.redact_replies_of_responses([raw["_id"] for raw in due], REDACTED)
            reopened = follow_up_store.reopened_of_responses([raw["_id"] for raw in due])
            async for found in reopened:
                await follow_up_store.set_reopen_reason(
                    found["_id"], scrub(found["reopened"]["reason"])
                )
            follow_up_ids = await follow_up_store.ids_of_responses([raw["_id"] for raw in due])
            async for note in follow_up_note_store.of_follow_ups(
                [PydanticObjectId(found) for found in follow_up_ids]
            ):
                await follow_up_note_store.anonymise(
                    note["_id"], str(ANONYMOUS_USER["id"]), scrub(note["text"])
                )
            changed = await follow_up_store.set_subject_of_responses(
                [raw["_id"] for raw in due], ANONYMOUS_USER["id"]
            )
            # Their Slack messages still waiting in the outbox are about nobody now.
            await outbox_store.forget_subjects_of_follow_ups(follow_up_ids)
            follow_ups += changed
        keep_days = await self.activity_days()
        activity_cutoff = now - timedelta(days=keep_days)
        displays = await display_store.delete_shown_before(activity_cutoff, dry_run)
        logins = await login_store.delete_before(activity_cutoff, dry_run)
        people, contact_states = await self._inactive(activity_cutoff, dry_run)
        outbox_days = self.settings.outbox_retention_days
        outbox_cleared = await self.outbox.clear_delivered(dry_run)
        outbox_deleted = await self.outbox.delete_settled(
            now - timedelta(days=outbox_days),
            datetime.combine(add_months(now.date(), -DEFAULT_MONTHS), now.timetz()),
            dry_run,
        )
        requests = await self._closed_requests(now, dry_run)
        report = RetentionReport(
            dry_run=dry_run,
            ran_at=now,
            responses_anonymised=responses,
            follow_ups_anonymised=follow_ups,
            displays_deleted=displays,
            logins_deleted=logins,
            activity_kept_days=keep_days,
            displays_anonymised=displays_anonymised,
            links_deleted=links,
            people_deleted=people,
            contact_states_deleted=contact_states,
            outbox_cleared=outbox_cleared,
            outbox_deleted=outbox_deleted,
            outbox_kept_days=outbox_days,
            rights_requests_anonymised=requests,
        )
        await self.audit.record(actor, "retention.run", [], [], report.as_dict())
        log.info("retention run%s: %s", " (dry run)" if dry_run else "", report.as_dict())
        return report

    async def _closed_requests(self, now: datetime, dry_run: bool) -> int:
        """Anonymise rights requests closed more than 3 years ago, as an erasure does:
        the person's identity, message and corrections go; the type, dates, keyed
        hashes and outcome stay as the record of what was done."""
        cutoff = datetime.combine(add_months(now.date(), -DEFAULT_MONTHS), now.timetz())
        entry = entry_for(RightsRequest)
        cursor = rights_requests.closed_naming_someone([status.value for status in CLOSED], cutoff)
        due = [
            raw["_id"]
            async for raw in cursor
            if max(
                [_aware(raw["received_at"])]
                + [_aware(change["at"]) for change in raw.get("history") or []]
            )
            <= cutoff
        ]
        if due and not dry_run:
            await rights_requests.set_on(due, entry.anonymised)
        return len(due)

    async def _with_responses(self, response_ids: list[Any], dry_run: bool) -> tuple[int, int]:
        """Anonymise the displays of responses being anonymised (no identity, no link
        back) and delete their survey links. Returns (displays, links)."""
        return (
            await display_store.anonymise_of_responses(response_ids, ANONYMOUS_DISPLAY, dry_run),
            await survey_links.delete_of_responses(response_ids, dry_run),
        )

    async def _inactive(self, cutoff: datetime, dry_run: bool) -> tuple[int, int]:
        """Delete the contact states with no display, answer or decline since `cutoff`,
        and the people with no login since then and no contact state left.
        Returns (people, contact states)."""
        candidates = await person_store.inactive_since(cutoff)
        stale_people: list[str] = []
        for start in range(0, len(candidates), 1000):
            batch = candidates[start : start + 1000]
            active = await contact_state_store.active_among(batch, cutoff)
            stale_people += [user_id for user_id in batch if user_id not in active]
        if dry_run:
            return len(stale_people), await contact_state_store.delete_stale(cutoff, dry_run=True)
        deleted_states = await contact_state_store.delete_stale(cutoff, dry_run=False)
        deleted_people = 0
        for start in range(0, len(stale_people), 1000):
            batch = stale_people[start : start + 1000]
            deleted_people += await person_store.delete_inactive(batch, cutoff)
        return deleted_people, deleted_states

    async def run_scheduled(self) -> None:
        """The daily run inside the server; the scheduler's job lease makes it run in
        one hub process a day, however many share the database. A run someone started
        by hand is doing the same work: the daily one is then skipped."""
        try:
            await self.run(False, AuditActor(key_id=None, role="system", label="daily"))
        except Conflict:
            log.info("daily retention run skipped: a retention run is under way")

    async def totals(self) -> RetentionTotals:
        """The runs that changed data (dry runs left out) and their changes added up,
        in one aggregation over the audit log."""
        totals = RetentionTotals()
        for row in await audit_log.sum_retention_runs(RETENTION_CHANGES):
            totals = RetentionTotals(
                runs=int(row["runs"]),
                changes={what: int(row[what]) for what in RETENTION_CHANGES},
            )
        return totals


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)
