"""Whether a survey may be shown to a person right now, and why not.

Every rule that blocks is reported with the time it stops blocking, so a product team
can see exactly why a survey did not show. Rules, with `days` from the survey's
contact rules or the global settings:

- ANSWERED_RECENTLY: they answered this survey less than `days_after_answer` ago.
- DECLINED_RECENTLY: they declined this survey less than `days_after_decline` ago.
- TOO_MANY_UNANSWERED_DISPLAYS: they ignored it `max_displays_without_answer` times in
  a row; that counts as a decline from the last display, after which the count resets.
- DISPLAYED_RECENTLY: it was shown less than `min_days_between_displays` ago.
- GLOBAL_DISPLAY_COOLDOWN: another survey was shown less than the global cooldown ago.
- GLOBAL_ANSWER_COOLDOWN: they answered another survey less than the global minimum ago.
- NOT_SAMPLED: outside the sampling percentage (a stable hash of person and survey).
- NOT_ENOUGH_LOGINS / TOO_SOON_SINCE_FIRST_SEEN: the optional warm-up rules.
- SUPPRESSED: the person objected (or was erased or restricted): never again.

Times are compared exactly: a rule of 90 days after an answer at 10:00 on 1 March
blocks until 10:00 on 30 May and not a moment longer.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from hub.clock import Clock
from hub.models.activity import ContactState, Person
from hub.models.common import Channel
from hub.models.survey import Survey, SurveyStatus
from hub.services.privacy.suppression import SuppressionService
from hub.settings import Settings


class Rule(Enum):
    SURVEY_NOT_FOUND = "SURVEY_NOT_FOUND"
    SURVEY_INACTIVE = "SURVEY_INACTIVE"
    CHANNEL_NOT_ENABLED = "CHANNEL_NOT_ENABLED"
    ANSWERED_RECENTLY = "ANSWERED_RECENTLY"
    DECLINED_RECENTLY = "DECLINED_RECENTLY"
    TOO_MANY_UNANSWERED_DISPLAYS = "TOO_MANY_UNANSWERED_DISPLAYS"
    DISPLAYED_RECENTLY = "DISPLAYED_RECENTLY"
    GLOBAL_DISPLAY_COOLDOWN = "GLOBAL_DISPLAY_COOLDOWN"
    GLOBAL_ANSWER_COOLDOWN = "GLOBAL_ANSWER_COOLDOWN"
    NOT_SAMPLED = "NOT_SAMPLED"
    NOT_ENOUGH_LOGINS = "NOT_ENOUGH_LOGINS"
    TOO_SOON_SINCE_FIRST_SEEN = "TOO_SOON_SINCE_FIRST_SEEN"
    SUPPRESSED = "SUPPRESSED"


@dataclass(frozen=True)
class Block:
    rule: Rule
    until: datetime | None  # None: no date is known at which it stops blocking


@dataclass(frozen=True)
class Eligibility:
    survey: Survey | None
    blocks: tuple[Block, ...]
    state: ContactState | None = None  # the person's history with this survey, as read

    @property
    def eligible(self) -> bool:
        return not self.blocks

    @property
    def next_eligible_at(self) -> datetime | None:
        """When every rule that blocks now will have passed; None if eligible now or
        if a rule has no end date."""
        if not self.blocks or any(block.until is None for block in self.blocks):
            return None
        return max(block.until for block in self.blocks if block.until is not None)

    @property
    def reason(self) -> Rule | None:
        """The rule that blocks longest, or None when eligible."""
        if not self.blocks:
            return None
        untimed = [block for block in self.blocks if block.until is None]
        if untimed:
            return untimed[0].rule
        return max(self.blocks, key=lambda block: block.until or datetime.min).rule


def in_sample(survey_key: str, user_id: str, percent: float) -> bool:
    """Stable sampling: the same person and survey always land on the same side."""
    if percent >= 100:
        return True
    digest = hashlib.sha256(f"{survey_key}\x00{user_id}".encode()).digest()
    bucket = int.from_bytes(digest[:8], "big") % 10_000
    return bucket < round(percent * 100)


class ThrottlingService:
    def __init__(
        self,
        clock: Clock,
        settings: Settings,
        suppressions: SuppressionService | None = None,
    ) -> None:
        self.clock = clock
        self.settings = settings
        self.suppressions = suppressions

    async def check(
        self,
        survey: Survey | None,
        user_id: str,
        channel: Channel,
        email: str | None = None,
    ) -> Eligibility:
        """`email`, where known, is matched against the suppression list too."""
        if survey is None:
            return Eligibility(None, (Block(Rule.SURVEY_NOT_FOUND, None),))
        if self.suppressions is not None and await self.suppressions.is_suppressed(user_id, email):
            return Eligibility(survey, (Block(Rule.SUPPRESSED, None),))
        if survey.status is not SurveyStatus.ACTIVE:
            return Eligibility(survey, (Block(Rule.SURVEY_INACTIVE, None),))
        if channel not in survey.channels:
            return Eligibility(survey, (Block(Rule.CHANNEL_NOT_ENABLED, None),))
        states = await ContactState.find(ContactState.user_id == user_id).to_list()
        # The person (logins, first seen) matters only to the optional warm-up rules:
        # most surveys have none, and their displays skip the read.
        person = await Person.find_one(Person.user_id == user_id) if _warms_up(survey) else None
        own = next((state for state in states if state.survey_key == survey.key), None)
        return Eligibility(survey, tuple(self.evaluate(survey, user_id, states, person)), own)

    def evaluate(
        self,
        survey: Survey,
        user_id: str,
        states: list[ContactState],
        person: Person | None,
    ) -> list[Block]:
        """The rules that block `survey` for this person now, from what was recorded."""
        now = self.clock.now()
        rules = survey.contact_rules
        blocks: list[Block] = []

        def after(rule: Rule, since: datetime | None, days: int) -> None:
            if since is not None and now < since + timedelta(days=days):
                blocks.append(Block(rule, since + timedelta(days=days)))

        own = next((state for state in states if state.survey_key == survey.key), None)
        if own is not None:
            after(Rule.ANSWERED_RECENTLY, own.last_answer_at, rules.days_after_answer)
            after(Rule.DECLINED_RECENTLY, own.last_decline_at, rules.days_after_decline)
            if own.unanswered_displays >= rules.max_displays_without_answer:
                after(
                    Rule.TOO_MANY_UNANSWERED_DISPLAYS,
                    own.last_display_at,
                    rules.days_after_decline,
                )
            after(Rule.DISPLAYED_RECENTLY, own.last_display_at, rules.min_days_between_displays)

        others = [state for state in states if state.survey_key != survey.key]
        after(
            Rule.GLOBAL_DISPLAY_COOLDOWN,
            _latest(state.last_display_at for state in others),
            self.settings.global_display_cooldown_days,
        )
        after(
            Rule.GLOBAL_ANSWER_COOLDOWN,
            _latest(state.last_answer_at for state in others),
            self.settings.global_answer_cooldown_days,
        )

        if not in_sample(survey.key, user_id, rules.sampling_percent):
            blocks.append(Block(Rule.NOT_SAMPLED, None))
        if (
            rules.min_logins is not None
            and (person.login_count if person else 0) < rules.min_logins
        ):
            blocks.append(Block(Rule.NOT_ENOUGH_LOGINS, None))
        if rules.min_days_since_first_seen is not None:
            if person is None:
                blocks.append(Block(Rule.TOO_SOON_SINCE_FIRST_SEEN, None))
            else:
                after(
                    Rule.TOO_SOON_SINCE_FIRST_SEEN,
                    person.first_seen_at,
                    rules.min_days_since_first_seen,
                )
        return blocks


def _warms_up(survey: Survey) -> bool:
    """Whether the survey has a warm-up rule, which needs the person's logins or first visit."""
    rules = survey.contact_rules
    return rules.min_logins is not None or rules.min_days_since_first_seen is not None


def _latest(times: Iterable[datetime | None]) -> datetime | None:
    values = [value for value in times if value is not None]
    return max(values) if values else None
