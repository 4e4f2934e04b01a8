"""Matching comments against theme rules: the one place that turns text into stems.

Deterministic and explainable: a comment is split into words, each word is reduced to
its Snowball stem in the comment's language, and a rule's term (one or more words)
matches where its stems follow each other in the comment. A term word ending in `*`
matches any word that begins with it (before stemming), for compounds. An occurrence
that lies inside an occurrence of one of the rule's exclusions does not count. Each
match names the theme, the language, the term as written and the comment's words.
No pattern language is accepted, so no rule can make matching slow: the cost is the
number of words times the number of term words.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import snowballstemmer

from hub.errors import ErrorCode, ValidationFailed
from hub.models.theme import ThemeRule

# The seven interface languages and their Snowball stemmers.
STEMMERS = {
    "en": "english",
    "es": "spanish",
    "nb": "norwegian",
    "sv": "swedish",
    "da": "danish",
    "fi": "finnish",
    "nl": "dutch",
}
LANGUAGES = tuple(STEMMERS)
# Locales whose language is written with another code here.
_ALIASES = {"no": "nb", "nn": "nb"}

MAX_TERMS = 200
MAX_TERM_WORDS = 6
MAX_TERM_CHARS = 80
MIN_PREFIX_CHARS = 3

# What a term's space-separated piece may hold: letters, digits, apostrophes and
# hyphens (a hyphenated piece is several words, as in a comment).
_PIECE = re.compile(r"[^\W_]+(?:['\u2019-][^\W_]+)*")
_WORD = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*")


def language_of(locale: str | None) -> str | None:
    """The theme language of a locale ("es-MX" → "es", "no" → "nb"), or None."""
    if not locale:
        return None
    primary = locale.replace("_", "-").split("-", 1)[0].casefold()
    primary = _ALIASES.get(primary, primary)
    return primary if primary in STEMMERS else None


@cache
def _stemmer(language: str) -> Any:
    return snowballstemmer.stemmer(STEMMERS[language])


@cache
def stem(word: str, language: str) -> str:
    """The stem of one case-folded word."""
    stemmed: str = _stemmer(language).stemWord(word)
    return stemmed


def words(text: str) -> list[tuple[str, str]]:
    """The words of a text: each as written and case-folded."""
    return [(found.group(0), found.group(0).casefold()) for found in _WORD.finditer(text)]


def stems(text: str, language: str) -> list[str]:
    """The stems of a text's words, in order."""
    return [stem(folded, language) for _, folded in words(text)]


@dataclass(frozen=True)
class _Pattern:
    """One term or exclusion: per word, its stem or (a `*` word) its prefix."""

    written: str
    parts: tuple[tuple[str, bool], ...]  # (stem or prefix, is_prefix)

    def occurrences(self, folded: Sequence[str], stemmed: Sequence[str]) -> list[int]:
        """Where the pattern starts in a comment's words."""
        size = len(self.parts)
        found = []
        for start in range(len(stemmed) - size + 1):
            if all(
                folded[start + i].startswith(value) if is_prefix else stemmed[start + i] == value
                for i, (value, is_prefix) in enumerate(self.parts)
            ):
                found.append(start)
        return found


@dataclass(frozen=True)
class CompiledRule:
    language: str
    terms: tuple[_Pattern, ...]
    exclusions: tuple[_Pattern, ...]


@dataclass(frozen=True)
class CompiledTheme:
    key: str
    rules: tuple[CompiledRule, ...]


@dataclass(frozen=True)
class Match:
    """A theme a comment matched and why."""

    theme: str
    language: str
    rule: str
    words: tuple[str, ...]


def _pattern(written: str, language: str, field: str) -> _Pattern:
    text = written.strip()
    if not text:
        raise ValidationFailed(ErrorCode.RULE_EMPTY, "A term or exclusion is empty.", field)
    if len(text) > MAX_TERM_CHARS:
        raise ValidationFailed(
            ErrorCode.INVALID_INPUT, f"A term has at most {MAX_TERM_CHARS} characters.", field
        )
    parts: list[tuple[str, bool]] = []
    for piece in text.split():
        is_prefix = piece.endswith("*")
        body = piece[:-1] if is_prefix else piece
        found = words(body)
        if not _PIECE.fullmatch(body) or not found:
            raise ValidationFailed(
                ErrorCode.INVALID_INPUT,
                "A term is words separated by spaces; only the end of a word may be *.",
                field,
            )
        *whole, last = [folded for _, folded in found]
        parts.extend((stem(folded, language), False) for folded in whole)
        if is_prefix:
            if len(last) < MIN_PREFIX_CHARS:
                raise ValidationFailed(
                    ErrorCode.INVALID_INPUT,
                    f"A word ending in * needs at least {MIN_PREFIX_CHARS} letters before it.",
                    field,
                )
            parts.append((last, True))
        else:
            parts.append((stem(last, language), False))
    if len(parts) > MAX_TERM_WORDS:
        raise ValidationFailed(
            ErrorCode.INVALID_INPUT, f"A term has at most {MAX_TERM_WORDS} words.", field
        )
    return _Pattern(text, tuple(parts))


def compile_rule(rule: ThemeRule, field: str = "rules") -> CompiledRule:
    """Check one rule and compile it; a `ValidationFailed` names what is wrong."""
    language = rule.language.strip().casefold()
    if language not in STEMMERS:
        raise ValidationFailed(
            ErrorCode.UNSUPPORTED_LANGUAGE,
            f"Rules are written in one of: {', '.join(LANGUAGES)}.",
            f"{field}.language",
        )
    if not [term for term in rule.terms if term.strip()]:
        raise ValidationFailed(ErrorCode.RULE_EMPTY, "A rule needs at least one term.", field)
    if len(rule.terms) + len(rule.exclusions) > MAX_TERMS:
        raise ValidationFailed(
            ErrorCode.INVALID_INPUT, f"A rule has at most {MAX_TERMS} terms.", field
        )
    terms = tuple(
        _pattern(term, language, f"{field}.terms[{index}]") for index, term in enumerate(rule.terms)
    )
    exclusions = tuple(
        _pattern(term, language, f"{field}.exclusions[{index}]")
        for index, term in enumerate(rule.exclusions)
    )
    return CompiledRule(language, terms, exclusions)


def compile_theme(key: str, rules: Sequence[ThemeRule]) -> CompiledTheme:
    """Check a theme's rules (at least one, one per language) and compile them."""
    if not rules:
        raise ValidationFailed(ErrorCode.RULE_EMPTY, "A theme needs at least one rule.", "rules")
    compiled = tuple(compile_rule(rule, f"rules[{index}]") for index, rule in enumerate(rules))
    languages = [rule.language for rule in compiled]
    if len(set(languages)) != len(languages):
        raise ValidationFailed(
            ErrorCode.INVALID_INPUT, "A theme has one rule per language.", "rules"
        )
    return CompiledTheme(key, compiled)


def _match_rule(
    rule: CompiledRule, folded: list[str], stemmed: list[str]
) -> tuple[_Pattern, int] | None:
    """The first term with an occurrence outside every exclusion, and where it is."""
    covered: set[int] = set()
    for exclusion in rule.exclusions:
        for start in exclusion.occurrences(folded, stemmed):
            covered.update(range(start, start + len(exclusion.parts)))
    for term in rule.terms:
        for start in term.occurrences(folded, stemmed):
            if not covered.intersection(range(start, start + len(term.parts))):
                return term, start
    return None


def tag(text: str, language: str | None, themes: Sequence[CompiledTheme]) -> list[Match]:
    """The themes a comment in `language` matches, by theme key, each with the first
    term that matched. Only rules in the comment's language apply; a comment in none
    of the seven languages is matched against every rule."""
    found = words(text)
    written = [word for word, _ in found]
    folded = [word for _, word in found]
    matches: list[Match] = []
    stems_by_language: dict[str, list[str]] = {}
    for theme in sorted(themes, key=lambda theme: theme.key):
        for rule in theme.rules:
            if language is not None and rule.language != language:
                continue
            stemmed = stems_by_language.get(rule.language)
            if stemmed is None:
                stemmed = [stem(word, rule.language) for word in folded]
                stems_by_language[rule.language] = stemmed
            found_term = _match_rule(rule, folded, stemmed)
            if found_term is None:
                continue
            term, start = found_term
            matched = tuple(written[start : start + len(term.parts)])
            matches.append(Match(theme.key, rule.language, term.written, matched))
            break
    return matches
