"""The labelled comments of tests/data/themes and how well the matcher tags them.

Shared by the quality test (which fails below the reported level) and
bench/themes_quality.py (which prints the figures): both score the same set with the
same themes in the same way. Scores are micro-averaged: every (comment, theme) pair
counts once, a tag the comment should not have is a false positive, a theme it should
have and did not get is a false negative.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from hub.models.theme import ThemeRule
from hub.services.themes.matching import CompiledTheme, compile_theme, tag

DATA = Path(__file__).resolve().parent.parent / "data" / "themes"
# The themes measured are the demo data's, so the figures are those of the themes the
# docs' examples show.
THEMES = Path(__file__).resolve().parents[2] / "hub" / "server" / "demo_themes.json"
SPLITS = ("dev", "test")


@dataclass(frozen=True)
class Comment:
    language: str
    split: str
    text: str
    themes: frozenset[str]


@dataclass(frozen=True)
class Score:
    """Counts of one scored set of comments and the micro-averaged figures."""

    comments: int
    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def precision(self) -> float:
        tagged = self.true_positives + self.false_positives
        return self.true_positives / tagged if tagged else 1.0

    @property
    def recall(self) -> float:
        expected = self.true_positives + self.false_negatives
        return self.true_positives / expected if expected else 1.0

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


def comments() -> list[Comment]:
    """The labelled set, in file order."""
    lines = (DATA / "comments.jsonl").read_text(encoding="utf-8").splitlines()
    return [
        Comment(row["language"], row["split"], row["text"], frozenset(row["themes"]))
        for row in (json.loads(line) for line in lines if line.strip())
    ]


def themes() -> list[CompiledTheme]:
    """The set's themes, compiled as the hub compiles an admin's themes."""
    defined = json.loads(THEMES.read_text(encoding="utf-8"))
    return [
        compile_theme(theme["key"], [ThemeRule(**rule) for rule in theme["rules"]])
        for theme in defined
    ]


def tagged(comment: Comment, compiled: Sequence[CompiledTheme]) -> frozenset[str]:
    """The theme keys the matcher gives a comment."""
    return frozenset(match.theme for match in tag(comment.text, comment.language, compiled))


def score(labelled: Iterable[Comment], compiled: Sequence[CompiledTheme]) -> Score:
    """Micro-averaged counts of the matcher's tags against the expected ones."""
    count = true_positives = false_positives = false_negatives = 0
    for comment in labelled:
        found = tagged(comment, compiled)
        count += 1
        true_positives += len(found & comment.themes)
        false_positives += len(found - comment.themes)
        false_negatives += len(comment.themes - found)
    return Score(count, true_positives, false_positives, false_negatives)
