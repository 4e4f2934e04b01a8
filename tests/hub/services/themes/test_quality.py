"""Tagging quality, measured on the labelled comments of tests/data/themes: the figures
docs/themes.md reports ("Quality") hold, less a margin, and tagging is deterministic.

`make bench` prints the same figures (bench/themes_quality.py). When a change to the
matcher or the set's themes moves them, update REPORTED here and in docs/themes.md.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hub.services.themes.matching import LANGUAGES, tag
from tests.support.themes_quality import SPLITS, Comment, comments, score, themes

ROOT = Path(__file__).resolve().parents[4]

# The figures docs/themes.md reports: (precision, recall), micro-averaged.
REPORTED = {
    "dev": (0.989, 1.000),
    "test": (0.973, 0.941),
    "all": (0.982, 0.973),
}
REPORTED_BY_LANGUAGE = {
    "en": (0.980, 1.000),
    "es": (0.938, 0.957),
    "nb": (1.000, 0.979),
    "sv": (0.979, 0.979),
    "da": (1.000, 0.979),
    "fi": (0.978, 0.938),
    "nl": (1.000, 0.979),
}
# How far a figure may fall before the test fails: a tag or two on ~170 comments
# for a split, a little more for a language's ~50.
MARGIN = 0.05
LANGUAGE_MARGIN = 0.08


@pytest.fixture(scope="module")
def labelled() -> list[Comment]:
    return comments()


def test_the_set_is_big_enough_and_labelled_with_its_themes(labelled: list[Comment]) -> None:
    keys = {theme.key for theme in themes()}
    assert len(labelled) >= 300
    for language in LANGUAGES:
        mine = [comment for comment in labelled if comment.language == language]
        assert len(mine) >= 40, language
        assert {comment.split for comment in mine} == set(SPLITS), language
    assert {key for comment in labelled for key in comment.themes} == keys
    assert {comment.split for comment in labelled} == set(SPLITS)
    for theme in themes():
        assert sorted(rule.language for rule in theme.rules) == sorted(LANGUAGES), theme.key


@pytest.mark.parametrize("split", [*SPLITS, "all"])
def test_precision_and_recall_hold_what_the_docs_report(
    labelled: list[Comment], split: str
) -> None:
    scored = score([comment for comment in labelled if split in ("all", comment.split)], themes())
    precision, recall = REPORTED[split]
    assert scored.precision >= precision - MARGIN
    assert scored.recall >= recall - MARGIN


@pytest.mark.parametrize("language", LANGUAGES)
def test_precision_and_recall_hold_in_every_language(
    labelled: list[Comment], language: str
) -> None:
    scored = score([comment for comment in labelled if comment.language == language], themes())
    precision, recall = REPORTED_BY_LANGUAGE[language]
    assert scored.precision >= precision - LANGUAGE_MARGIN
    assert scored.recall >= recall - LANGUAGE_MARGIN


def _every_tag(labelled: list[Comment]) -> list[list[list[str]]]:
    compiled = themes()
    return [
        [
            [match.theme, match.language, match.rule, *match.words]
            for match in tag(comment.text, comment.language, compiled)
        ]
        for comment in labelled
    ]


def test_the_same_text_and_rules_give_the_same_tags_in_the_same_order(
    labelled: list[Comment],
) -> None:
    first = _every_tag(labelled)
    assert _every_tag(labelled) == first
    compiled = themes()
    for comment, tags in zip(labelled, first, strict=True):
        reordered = tag(comment.text, comment.language, list(reversed(compiled)))
        assert [[m.theme, m.language, m.rule, *m.words] for m in reordered] == tags
        assert [found[0] for found in tags] == sorted(found[0] for found in tags)


def test_another_process_with_another_hash_seed_gives_the_same_tags(
    labelled: list[Comment],
) -> None:
    program = (
        "import json\n"
        "from tests.support.themes_quality import comments, themes\n"
        "from hub.services.themes.matching import tag\n"
        "compiled = themes()\n"
        "print(json.dumps([[[m.theme, m.language, m.rule, *m.words]"
        " for m in tag(c.text, c.language, compiled)] for c in comments()]))\n"
    )
    environment = {**os.environ, "PYTHONHASHSEED": "12345", "PYTHONPATH": str(ROOT)}
    ran = subprocess.run(
        [sys.executable, "-c", program],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert json.loads(ran.stdout) == _every_tag(labelled)
