"""Key phrases of comments, found by YAKE and grouped on their Snowball stems.

YAKE is unsupervised and statistical: it scores the one- to three-word phrases of a
text from the words' position, case, frequency and company, using its own per-language
stop-word lists (shipped with the package), so nothing is trained, downloaded or
hand-listed here. Phrases are then grouped across comments by the stems of their
words, as theme rules match ("invoice", "invoices" and "invoicing" are one phrase), and
a comment counts once per phrase however often it says it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import yake

from hub.models.common import Metric
from hub.services.themes.matching import stems

# YAKE names its Norwegian stop-word list "no"; the hub says "nb".
_YAKE_LANGUAGES = {"nb": "no"}
MAX_WORDS = 3
# Phrases YAKE returns per comment, best first: enough for every phrase of a short
# comment, so that a comment that says a phrase is counted as mentioning it.
PER_COMMENT = 20


@dataclass(frozen=True)
class Comment:
    """A comment as the suggestions read it: no person, only what is counted."""

    response_id: Any
    text: str
    metric: Metric
    score: int


@dataclass
class PhraseTally:
    """One phrase (its stem key) across the comments of one language: the comments
    that mention it in the order read, how it is written, and its YAKE scores."""

    key: str
    forms: Counter[str] = field(default_factory=Counter)
    comments: list[Comment] = field(default_factory=list)
    relevance_total: float = 0.0

    @property
    def phrase(self) -> str:
        """The most frequent written form; of equally frequent ones, the first in
        alphabetical order, so the answer never depends on the order of reading."""
        return min(self.forms.items(), key=lambda item: (-item[1], item[0]))[0]

    @property
    def relevance(self) -> float:
        """The mean YAKE score over the comments that mention it (lower is more
        relevant)."""
        return self.relevance_total / len(self.comments)


def extractor(language: str) -> yake.KeywordExtractor:
    """A YAKE extractor for one of the hub's languages. One per call and thread: the
    extractor keeps a cache of its own."""
    return yake.KeywordExtractor(
        lan=_YAKE_LANGUAGES.get(language, language), n=MAX_WORDS, top=PER_COMMENT
    )


def key_phrases(
    text: str, language: str, found_by: yake.KeywordExtractor
) -> dict[str, tuple[str, float]]:
    """A comment's key phrases by stem key: each with its best-scored written form
    (case-folded) and that score."""
    phrases: dict[str, tuple[str, float]] = {}
    for phrase, score in found_by.extract_keywords(text):
        written = " ".join(phrase.casefold().split())
        key = " ".join(stems(written, language))
        if not key:
            continue
        best = phrases.get(key)
        if best is None or float(score) < best[1]:
            phrases[key] = (written, float(score))
    return phrases


def tally(comments: Iterable[Comment], language: str) -> dict[str, PhraseTally]:
    """The phrases of comments in `language`, by stem key."""
    found_by = extractor(language)
    tallies: dict[str, PhraseTally] = {}
    for comment in comments:
        for key, (written, score) in key_phrases(comment.text, language, found_by).items():
            counted = tallies.get(key)
            if counted is None:
                counted = tallies[key] = PhraseTally(key)
            counted.forms[written] += 1
            counted.comments.append(comment)
            counted.relevance_total += score
    return tallies
