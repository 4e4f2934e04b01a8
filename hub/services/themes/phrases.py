"""Key phrases of comments, found by YAKE and grouped on their Snowball stems.

YAKE is unsupervised and statistical: it scores the one- to three-word phrases of a
text from the words' position, case, frequency, spread over sentences and company,
using per-language stop-word lists shipped with packages (YAKE's own and
stopwords-iso's), so nothing is trained, downloaded or hand-listed here. A language's
comments are read as one document, one sentence each, so a phrase's relevance comes
from all of them. Phrases are grouped by the stems of their words, as theme rules
match ("invoice", "invoices" and "invoicing" are one phrase), and a comment counts
once per phrase however often it says it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib.resources import files
from typing import Any

import stopwordsiso
import yake

from hub.models.common import Metric
from hub.services.themes.matching import stem, stems, words

# YAKE names its Norwegian stop-word list "no"; the hub says "nb".
_YAKE_LANGUAGES = {"nb": "no"}
MAX_WORDS = 3
# Key phrases YAKE returns from a language's comments, best first.
CORPUS_PHRASES = 300


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


def stop_words(language: str) -> set[str]:
    """YAKE's stop words for a language, with those of stopwords-iso: YAKE's lists for
    Norwegian (118 words) and Danish (63) miss common words ("jeg", "den", "blev").
    English keeps YAKE's list alone: stopwords-iso's English list (1,298 words) holds
    words comments are about ("help", "page", "work")."""
    yake_language = _YAKE_LANGUAGES.get(language, language)
    listed = files("yake.core").joinpath("StopwordsList", f"stopwords_{yake_language}.txt")
    words_of_yake = set(listed.read_text(encoding="utf-8").casefold().split())
    if language == "en":
        return words_of_yake
    return words_of_yake | {word.casefold() for word in stopwordsiso.stopwords(yake_language)}


def extractor(language: str) -> yake.KeywordExtractor:
    """A YAKE extractor for one of the hub's languages. One per call and thread: the
    extractor keeps a cache of its own."""
    return yake.KeywordExtractor(
        lan=_YAKE_LANGUAGES.get(language, language),
        n=MAX_WORDS,
        top=CORPUS_PHRASES,
        stopwords=stop_words(language),
    )


class CommentIndex:
    """The comments of one language with their words' stems, to find the comments that
    say a phrase: the phrase's stems one after the other, as a theme rule matches."""

    def __init__(self, comments: Iterable[Comment], language: str) -> None:
        self.comments = list(comments)
        self.language = language
        self._folded: list[list[str]] = []
        self._stemmed: list[list[str]] = []
        self._by_stem: defaultdict[str, set[int]] = defaultdict(set)
        for index, comment in enumerate(self.comments):
            folded = [word for _, word in words(comment.text)]
            stemmed = [stem(word, language) for word in folded]
            self._folded.append(folded)
            self._stemmed.append(stemmed)
            for found in stemmed:
                self._by_stem[found].add(index)

    def saying(self, key: Sequence[str]) -> list[tuple[Comment, str]]:
        """The comments that say the phrase of stems `key`, in reading order, each with
        how it writes the phrase (case-folded)."""
        if not key:
            return []
        found = []
        size = len(key)
        for index in sorted(self._by_stem.get(key[0], ())):
            stemmed = self._stemmed[index]
            for start in range(len(stemmed) - size + 1):
                if stemmed[start : start + size] == list(key):
                    written = " ".join(self._folded[index][start : start + size])
                    found.append((self.comments[index], written))
                    break
        return found

    def document(self) -> str:
        """The comments as one text for YAKE, each its own sentence."""
        return "\n".join(_sentence(comment.text) for comment in self.comments)


def _sentence(text: str) -> str:
    stripped = " ".join(text.split())
    return stripped if stripped[-1:] in ".!?" else f"{stripped}."


def tally(comments: Iterable[Comment], language: str) -> dict[str, PhraseTally]:
    """The key phrases of the comments in `language`, by stem key: YAKE reads the
    comments as one document (so a phrase's relevance comes from all of them: how
    often, how spread, in what company), and each phrase counts the comments that say
    it."""
    index = CommentIndex(comments, language)
    if not index.comments:
        return {}
    tallies: dict[str, PhraseTally] = {}
    for phrase, score in extractor(language).extract_keywords(index.document()):
        key = stems(phrase.casefold(), language)
        joined = " ".join(key)
        if not key or joined in tallies:
            continue  # best first: a second form of a phrase adds nothing
        counted = PhraseTally(joined)
        for comment, written in index.saying(key):
            counted.forms[written] += 1
            counted.comments.append(comment)
            counted.relevance_total += float(score)
        if counted.comments:
            tallies[joined] = counted
    return tallies


def count(
    comments: Iterable[Comment], language: str, keys: Iterable[str]
) -> dict[str, PhraseTally]:
    """How the comments in `language` say the phrases of stem keys `keys` (those no
    comment says are left out): the previous period, for the phrases of this one."""
    index = CommentIndex(comments, language)
    tallies: dict[str, PhraseTally] = {}
    for joined in keys:
        counted = PhraseTally(joined)
        for comment, written in index.saying(joined.split()):
            counted.forms[written] += 1
            counted.comments.append(comment)
        if counted.comments:
            tallies[joined] = counted
    return tallies
