"""Suggested themes: the key phrases many comments of a period share that no theme
covers yet, per language, each ready to become a theme in one call.

The comments are read through the survey and answer-time index, the newest first and
at most `sample` per period, so a call costs the same however many comments a survey
holds; what people took out of processing (`analytics_excluded`) is never read. Key
phrases come from YAKE (`phrases`), grouped on their stems. A phrase is left out when
a theme's rule in its language already matches it, when a suggestion ranked above it
would (a theme made from "invoice" also tags "wrong invoice"), or when it quotes an
e-mail address, a phone number or a known user id or username. Phrases mentioned by
exactly the comments of a suggestion ranked above them would make the same theme: they
are listed with it as related phrases ("export" with "slow" when every comment says
"the export is slow"), not as suggestions of their own. The previous period
of the same length is read the same way, so a phrase whose share of comments rose
beyond chance (a two-proportion test) is marked as emerging.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hub.errors import ErrorCode, NotFound, ValidationFailed
from hub.models.common import Metric
from hub.models.theme import ThemeRule
from hub.services.analytics.significance import two_proportion_test
from hub.services.privacy import free_text
from hub.services.surveys.surveys import SurveyService
from hub.services.themes import matching
from hub.services.themes.catalog import ThemeCatalog
from hub.services.themes.phrases import Comment, PhraseTally, count, tally
from hub.services.widget.stores import responses as response_store

MAX_SURVEYS = 50
MAX_LIMIT = 100
MAX_MIN_COMMENTS = 10_000
EXAMPLES = 3
MAX_RELATED = 5
# Candidates checked for personal data in one lookup.
_PERSONAL_DATA_BATCH = 500
# A share that rose with a two-sided p-value under this is emerging.
SIGNIFICANCE = 0.05
# Locales whose language the hub writes with another code (as matching reads them).
_OTHER_CODES = ("no", "nn")


@dataclass(frozen=True)
class SuggestionRequest:
    """What to suggest from: the surveys, the period (`date_from` inclusive, `date_to`
    exclusive), one language or all seven, how many suggestions at most, and the
    fewest comments a phrase must be mentioned by."""

    survey_keys: Sequence[str]
    date_from: datetime
    date_to: datetime
    language: str | None = None
    limit: int = 20
    min_comments: int = 2


@dataclass(frozen=True)
class Suggestion:
    """A phrase no theme covers yet, and the rule that would make it one.

    `related` are phrases mentioned by exactly the same comments, best first.
    `comments` mention it, `share` of the period's comments in its language;
    `average_score` is theirs when they share one `metric` (None otherwise);
    `relevance` is YAKE's mean score (lower is more relevant). `previous_share` and
    `p_value` compare with the previous period; `emerging` when the share rose with a
    p-value under SIGNIFICANCE. `examples` are the newest response ids."""

    phrase: str
    related: list[str]
    language: str
    comments: int
    share: float
    relevance: float
    metric: Metric | None
    average_score: float | None
    examples: list[Any]
    previous_comments: int
    previous_share: float | None
    p_value: float | None
    emerging: bool

    @property
    def rule(self) -> ThemeRule:
        """The rule a theme made from this suggestion starts with."""
        return ThemeRule(language=self.language, terms=[self.phrase], exclusions=[])


@dataclass(frozen=True)
class Suggestions:
    """The suggestions, best first, and how many comments each period gave
    (`sampled` when there were more than the sample bound)."""

    comments_read: int
    sampled: bool
    previous_comments_read: int
    previous_sampled: bool
    suggestions: list[Suggestion]


@dataclass(frozen=True)
class _Period:
    """The comments of one period by language, and how many were read."""

    by_language: dict[str, list[Comment]]
    read: int
    sampled: bool

    def tallies(self) -> dict[str, dict[str, PhraseTally]]:
        return {
            language: tally(comments, language) for language, comments in self.by_language.items()
        }

    def counts(
        self, phrases: dict[str, dict[str, PhraseTally]]
    ) -> dict[str, dict[str, PhraseTally]]:
        """How this period's comments say the `phrases` of another period."""
        return {
            language: count(self.by_language.get(language, []), language, tallies)
            for language, tallies in phrases.items()
        }


class ThemeSuggestions:
    """Suggests themes from the comments of some surveys in a period."""

    def __init__(self, surveys: SurveyService, catalog: ThemeCatalog, sample: int) -> None:
        self.surveys = surveys
        self.catalog = catalog
        self.sample = sample
        # One extraction at a time per process: it is CPU work, so callers wait their
        # turn (within their time limit) instead of sharing the cores with the rest.
        self._extracting = asyncio.Semaphore(1)

    async def suggest(self, request: SuggestionRequest) -> Suggestions:
        language = await self._checked(request)
        keys = sorted(set(request.survey_keys))
        length = request.date_to - request.date_from
        current = await self._read(keys, request.date_from, request.date_to, language)
        previous = await self._read(keys, request.date_from - length, request.date_from, language)
        # YAKE is CPU work: off the event loop, so other requests go on meanwhile.
        async with self._extracting:
            now = await asyncio.to_thread(current.tallies)
            before = await asyncio.to_thread(previous.counts, now)
        compiled = await self.catalog.compiled()
        candidates = [
            (phrase_language, counted)
            for phrase_language, tallies in now.items()
            for counted in tallies.values()
            if len(counted.comments) >= request.min_comments
            and not matching.tag(counted.phrase, phrase_language, compiled)
        ]
        candidates.sort(key=lambda item: _rank(*item))
        chosen = await _choose(candidates, request.limit)
        return Suggestions(
            comments_read=current.read,
            sampled=current.sampled,
            previous_comments_read=previous.read,
            previous_sampled=previous.sampled,
            suggestions=[
                _suggestion(phrase_language, counted, related, current, previous, before)
                for phrase_language, counted, related in chosen
            ],
        )

    async def _checked(self, request: SuggestionRequest) -> str | None:
        """The language asked for (None for all); a `DomainError` for bad input."""
        if not request.survey_keys:
            raise ValidationFailed(
                ErrorCode.INVALID_INPUT, "Name at least one survey.", "surveyKeys"
            )
        if len(set(request.survey_keys)) > MAX_SURVEYS:
            raise ValidationFailed(
                ErrorCode.INVALID_INPUT, f"Name at most {MAX_SURVEYS} surveys.", "surveyKeys"
            )
        for name, bound in (("dateFrom", request.date_from), ("dateTo", request.date_to)):
            if bound.tzinfo is None:
                raise ValidationFailed(
                    ErrorCode.INVALID_INPUT,
                    f"{name} needs a time zone offset.",
                    f"period.{name}",
                )
        if request.date_to <= request.date_from:
            raise ValidationFailed(
                ErrorCode.INVALID_INPUT, "dateTo must be after dateFrom.", "period.dateTo"
            )
        if not 1 <= request.limit <= MAX_LIMIT:
            raise ValidationFailed(
                ErrorCode.INVALID_INPUT, f"limit must be from 1 to {MAX_LIMIT}.", "limit"
            )
        if not 2 <= request.min_comments <= MAX_MIN_COMMENTS:
            raise ValidationFailed(
                ErrorCode.INVALID_INPUT,
                f"minComments must be from 2 to {MAX_MIN_COMMENTS}.",
                "minComments",
            )
        language = None
        if request.language is not None:
            language = request.language.strip().casefold()
            if language not in matching.LANGUAGES:
                raise ValidationFailed(
                    ErrorCode.UNSUPPORTED_LANGUAGE,
                    f"Suggestions are made in one of: {', '.join(matching.LANGUAGES)}.",
                    "language",
                )
        if None in await self.surveys.by_keys(sorted(set(request.survey_keys))):
            raise NotFound("Survey", "surveyKeys")
        return language

    async def _read(
        self, survey_keys: list[str], start: datetime, end: datetime, language: str | None
    ) -> _Period:
        """The newest `sample` comments of the period (in `language` only, if given),
        by language; comments in none of the seven languages are read but not used."""
        locales = None
        if language is not None:
            codes = [
                code
                for code in (*matching.LANGUAGES, *_OTHER_CODES)
                if matching.language_of(code) == language
            ]
            locales = f"^({'|'.join(codes)})([-_]|$)"
        cursor = response_store.commented_between(survey_keys, start, end, locales, self.sample + 1)
        raws = [raw async for raw in cursor]
        by_language: dict[str, list[Comment]] = defaultdict(list)
        for raw in raws[: self.sample]:
            comment_language = matching.language_of(raw.get("locale"))
            if comment_language is None or (language is not None and comment_language != language):
                continue
            by_language[comment_language].append(
                Comment(raw["_id"], raw["comment"], Metric(raw["metric"]), int(raw["score"]))
            )
        return _Period(dict(by_language), min(len(raws), self.sample), len(raws) > self.sample)


async def _choose(
    candidates: list[tuple[str, PhraseTally]], limit: int
) -> list[tuple[str, PhraseTally, list[str]]]:
    """The best `limit` ranked candidates that no better one covers and that quote no
    personal data, each with the phrases mentioned by exactly its comments (which would
    make the same theme). Those have as many comments, so they rank next to it: the
    walk ends at the first candidate with fewer comments than the last one chosen, and
    the candidates are checked for personal data a batch at a time until then."""
    chosen: list[tuple[str, PhraseTally, list[str]]] = []
    accepted: list[matching.CompiledTheme] = []
    related_by_comments: dict[frozenset[Any], list[str]] = {}
    for start in range(0, len(candidates), _PERSONAL_DATA_BATCH):
        batch = candidates[start : start + _PERSONAL_DATA_BATCH]
        quoting = await _quoting_personal_data([counted.phrase for _, counted in batch])
        for language, counted in batch:
            if len(chosen) == limit and len(counted.comments) < len(chosen[-1][1].comments):
                return chosen
            if counted.phrase in quoting or matching.tag(counted.phrase, language, accepted):
                continue
            comment_ids = frozenset(comment.response_id for comment in counted.comments)
            related = related_by_comments.get(comment_ids)
            if related is not None:
                if len(related) < MAX_RELATED:
                    related.append(counted.phrase)
            elif len(chosen) < limit:
                related_by_comments[comment_ids] = []
                chosen.append((language, counted, related_by_comments[comment_ids]))
                rule = ThemeRule(language=language, terms=[counted.phrase], exclusions=[])
                accepted.append(matching.compile_theme(str(len(accepted)), [rule]))
    return chosen


def _rank(language: str, counted: PhraseTally) -> tuple[int, int, float, str, str]:
    """Most comments first; then fewer words (the broader term: of "export" and
    "export is slow" in the same comments, "export" makes the better theme), YAKE's
    relevance, and the phrase itself, so that no two rank alike."""
    return (
        -len(counted.comments),
        len(counted.key.split()),
        counted.relevance,
        counted.phrase,
        language,
    )


def _suggestion(
    language: str,
    counted: PhraseTally,
    related: list[str],
    current: _Period,
    previous: _Period,
    before: dict[str, dict[str, PhraseTally]],
) -> Suggestion:
    mentions = len(counted.comments)
    total = len(current.by_language[language])
    previous_total = len(previous.by_language.get(language, []))
    earlier = before.get(language, {}).get(counted.key)
    previous_mentions = len(earlier.comments) if earlier else 0
    change = two_proportion_test(previous_mentions, previous_total, mentions, total)
    metrics = {comment.metric for comment in counted.comments}
    metric = metrics.pop() if len(metrics) == 1 else None
    average = (
        sum(comment.score for comment in counted.comments) / mentions
        if metric is not None
        else None
    )
    return Suggestion(
        phrase=counted.phrase,
        related=related,
        language=language,
        comments=mentions,
        share=mentions / total,
        relevance=counted.relevance,
        metric=metric,
        average_score=average,
        examples=[comment.response_id for comment in counted.comments[:EXAMPLES]],
        previous_comments=previous_mentions,
        previous_share=previous_mentions / previous_total if previous_total else None,
        p_value=change.p_value if change else None,
        emerging=change is not None and change.z > 0 and change.p_value < SIGNIFICANCE,
    )


async def _quoting_personal_data(phrases: list[str]) -> set[str]:
    """The phrases that masking would change: they quote personal data, and a theme
    named after a person is no theme."""
    return {
        phrase
        for phrase, masked in zip(phrases, await free_text.masked(phrases), strict=True)
        if masked != phrase
    }
