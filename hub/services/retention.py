"""Retention: personal data is kept no longer than needed, at the latest 3 years.

Responses older than their survey's retention (HUB_RETENTION_DAYS, or less where a
survey says so; 3 calendar years when the setting is unset) are anonymised: the
identity and page address removed, e-mail addresses, phone numbers and URLs scrubbed
out of the comment. Displays and logins older than the contact rules look back are
deleted. A dry run counts without changing anything."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from hub.clock import Clock
from hub.errors import ErrorCode, NotFound, ValidationFailed
from hub.models.activity import Display, Login
from hub.models.followup import FollowUp
from hub.models.privacy import AuditActor, SurveyRetention
from hub.models.response import Response
from hub.models.survey import Survey
from hub.services.audit import AuditService
from hub.services.followups import FollowUpService
from hub.services.free_text import scrub
from hub.services.privacy_registry import ANONYMOUS_USER
from hub.services.rights import add_months
from hub.settings import Settings

log = logging.getLogger("hub.retention")

DEFAULT_MONTHS = 36
LEASE = "retention"


@dataclass(frozen=True)
class RetentionReport:
    dry_run: bool
    ran_at: datetime
    responses_anonymised: int
    follow_ups_anonymised: int
    displays_deleted: int
    logins_deleted: int
    activity_kept_days: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "responses_anonymised": self.responses_anonymised,
            "follow_ups_anonymised": self.follow_ups_anonymised,
            "displays_deleted": self.displays_deleted,
            "logins_deleted": self.logins_deleted,
            "activity_kept_days": self.activity_kept_days,
        }


class RetentionService:
    def __init__(
        self,
        clock: Clock,
        settings: Settings,
        audit: AuditService,
        follow_ups: FollowUpService,
    ) -> None:
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

    async def set_survey_retention(self, survey_key: str, days: int | None) -> int | None:
        """Keep a survey's responses identified for at most `days` (None: the default)."""
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
        await SurveyRetention.get_pymongo_collection().update_one(
            {"survey_key": survey_key}, {"$set": {"days": days}}, upsert=True
        )
        return days

    async def activity_days(self) -> int:
        """How far back the contact rules look at displays and logins."""
        days = [
            self.settings.global_display_cooldown_days,
            self.settings.global_answer_cooldown_days,
        ]
        async for raw in Survey.get_pymongo_collection().find({}, projection={"contact_rules": 1}):
            rules = raw.get("contact_rules") or {}
            days += [
                int(rules.get("days_after_answer") or 0),
                int(rules.get("days_after_decline") or 0),
                int(rules.get("min_days_between_displays") or 0),
            ]
        return max(max(days), 1)

    # -- the run

    async def run(self, dry_run: bool, actor: AuditActor) -> RetentionReport:
        now = self.clock.now()
        overrides = {
            raw["survey_key"]: raw.get("days")
            async for raw in SurveyRetention.get_pymongo_collection().find()
        }
        keys = [raw["key"] async for raw in Survey.get_pymongo_collection().find({}, {"key": 1})]
        responses = follow_ups = 0
        for survey_key in sorted(set(keys) | set(overrides)):
            days = self._days_for(overrides.get(survey_key))
            # A superset by a day or two, then exact in Python (calendar years).
            earliest = now - timedelta(days=days if days is not None else 365 * 3 - 2)
            cursor = Response.get_pymongo_collection().find(
                {
                    "survey_key": survey_key,
                    "answered_at": {"$lte": earliest + timedelta(days=2)},
                    "user.id": {"$ne": ANONYMOUS_USER["id"]},
                },
                projection={"_id": 1, "answered_at": 1, "comment": 1, "user.id": 1},
            )
            due = [
                raw async for raw in cursor if self.expires(_aware(raw["answered_at"]), days) <= now
            ]
            responses += len(due)
            if dry_run or not due:
                follow_ups += (
                    await FollowUp.find(
                        {"response_id": {"$in": [raw["_id"] for raw in due]}}
                    ).count()
                    if due
                    else 0
                )
                continue
            for raw in due:
                comment = raw.get("comment")
                await Response.get_pymongo_collection().update_one(
                    {"_id": raw["_id"]},
                    {
                        "$set": {
                            "user": ANONYMOUS_USER,
                            "url": None,
                            "customer.company": None,
                            "comment": scrub(comment) if comment else comment,
                        }
                    },
                )
            # Their Slack messages show the company and the comment: rebuild them
            # from the anonymised responses (queued before the follow-ups lose the
            # user id that finds them).
            for user_id in sorted({raw["user"]["id"] for raw in due}):
                await self.follow_ups.refresh_subject(user_id)
            changed = await FollowUp.get_pymongo_collection().update_many(
                {"response_id": {"$in": [raw["_id"] for raw in due]}},
                {"$set": {"subject_id": ANONYMOUS_USER["id"]}},
            )
            follow_ups += changed.modified_count
        keep_days = await self.activity_days()
        activity_cutoff = now - timedelta(days=keep_days)
        old_displays = {"shown_at": {"$lt": activity_cutoff}}
        old_logins = {"logged_in_at": {"$lt": activity_cutoff}}
        if dry_run:
            displays = await Display.get_pymongo_collection().count_documents(old_displays)
            logins = await Login.get_pymongo_collection().count_documents(old_logins)
        else:
            displays = (
                await Display.get_pymongo_collection().delete_many(old_displays)
            ).deleted_count
            logins = (await Login.get_pymongo_collection().delete_many(old_logins)).deleted_count
        report = RetentionReport(
            dry_run=dry_run,
            ran_at=now,
            responses_anonymised=responses,
            follow_ups_anonymised=follow_ups,
            displays_deleted=displays,
            logins_deleted=logins,
            activity_kept_days=keep_days,
        )
        await self.audit.record(actor, "retention.run", [], [], report.as_dict())
        log.info("retention run%s: %s", " (dry run)" if dry_run else "", report.as_dict())
        return report

    async def run_scheduled(self) -> None:
        """The daily run inside the server; the scheduler's job lease makes it run in
        one hub process a day, however many share the database."""
        await self.run(False, AuditActor(key_id=None, role="system", label="daily"))


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)
