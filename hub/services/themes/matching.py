"""Matching comments against theme rules: the one place that turns text into stems.

Deterministic and explainable: a comment is split into words, each word is reduced to
its Snowball stem in the comment's language, and a rule's term (one or more words)
matches where its stems follow each other in the comment. A term word ending in `*`
matches any word that begins with it (before stemming); one beginning with `*`
matches any word that ends in a form of it, for compounds whose last part is the
word ("*pris" matches "månedsprisen"). An occurrence that lies inside an occurrence
of one of the rule's exclusions does not count. Each match names the theme, the
language, the term as written and the comment's words. No pattern language is
accepted, so no rule can make matching slow: the cost is the number of words times
the number of term words (times a bounded number of short endings for a `*word`).

Before stemming, words are case-folded, typographic apostrophes become "'", and in
English, Spanish and Dutch accents are dropped ("facturacion" is "facturación",
"intuitief" is "intuïtief"); in the Nordic languages å, ä, ö, æ and ø are letters of
their own and are kept, as is the Spanish ñ. Snowball's few blind spots that matter
here are made up for: a word it stems one suffix short still matches, a Spanish
superlative is its adjective, and two neighbouring letters swapped in a long word
are taken for the word meant. docs/themes.md ("Quality") says how well this tags.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum
from functools import cache, lru_cache
from typing import Any

import snowballstemmer

from hub.errors import ErrorCode, ValidationFailed
from hub.models.theme import ThemeRule, ThemeTag

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
# Languages whose accents are marks on a letter, dropped before matching; in the
# others a marked letter is a letter of its own.
_ACCENTED = frozenset({"en", "es", "nl"})
# The marks dropped: acute, grave, circumflex, diaeresis (not the tilde of ñ).
_ACCENTS = frozenset({"\u0300", "\u0301", "\u0302", "\u0308"})
_SUPERLATIVES = (("isimos", "os"), ("isimas", "as"), ("isimo", "o"), ("isima", "a"))
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})

MAX_TERMS = 200
MAX_TERM_WORDS = 6
MAX_TERM_CHARS = 80
MIN_PREFIX_CHARS = 3
# Two neighbouring letters typed the wrong way round ("invocie") still match, in
# words this long at least; shorter ones too often make another word ("form", "from").
MIN_SWAPPED_CHARS = 6
# How much longer than the word a `*word` is written with its form at the end of a
# compound may be: the longest Finnish case and possessive endings ("hinnoistamme").
MAX_INFLECTION_CHARS = 12
# Distinct words whose stems are kept: enough for a busy hour's comments, bounded so
# a long-running hub does not keep every word it has ever seen.
STEM_CACHE_WORDS = 100_000

# What a term's space-separated piece may hold: letters, digits, apostrophes and
# hyphens (a hyphenated piece is several words, as in a comment).
_PIECE = re.compile(r"[^\W_]+(?:['\u2018\u2019\u02bc-][^\W_]+)*")
_WORD = re.compile(r"[^\W_]+(?:['\u2018\u2019\u02bc][^\W_]+)*")


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


def _unaccented(word: str, language: str) -> str:
    """A case-folded word as matched: without accents where they are only marks."""
    if language not in _ACCENTED or word.isascii():
        return word
    decomposed = unicodedata.normalize("NFD", word)
    return unicodedata.normalize(
        "NFC", "".join(char for char in decomposed if char not in _ACCENTS)
    )


def _positive(word: str) -> str:
    """A Spanish absolute superlative as its adjective ("rapidisima" → "rapida",
    "carisimo" → "caro"), which Snowball leaves as a word of its own."""
    for ending, plain in _SUPERLATIVES:
        if word.endswith(ending) and len(word) - len(ending) >= MIN_PREFIX_CHARS:
            return word[: -len(ending)] + plain
    return word


@lru_cache(maxsize=STEM_CACHE_WORDS)
def stem(word: str, language: str) -> str:
    """The stem of one case-folded word (accents dropped where `_ACCENTED`; a Spanish
    superlative is its adjective's)."""
    plain = _unaccented(word, language)
    if language == "es":
        plain = _positive(plain)
    stemmed: str = _stemmer(language).stemWord(plain)
    return stemmed


def words(text: str) -> list[tuple[str, str]]:
    """The words of a text: each as written and case-folded, with "'" for every
    apostrophe (a typographic one is the same word as a typed one)."""
    return [
        (found.group(0), found.group(0).casefold().translate(_APOSTROPHES))
        for found in _WORD.finditer(text)
    ]


def stems(text: str, language: str) -> list[str]:
    """The stems of a text's words, in order."""
    return [stem(folded, language) for _, folded in words(text)]


class _Kind(Enum):
    STEM = "stem"  # the word's stem equals the term word's
    PREFIX = "prefix"  # `word*`: the word begins with it
    SUFFIX = "suffix"  # `*word`: the word ends in a form of it


def _same_stem(stemmed: str, value: str, language: str) -> bool:
    """Whether a word's stem is `value`, also where Snowball took off one suffix of
    two ("kostnaden" → "kostnad", but "kostnad" → "kostn"): then the stem of the stem
    is."""
    return stemmed == value or (stemmed.startswith(value) and stem(stemmed, language) == value)


def _swapped(typed: str, value: str) -> bool:
    """Whether `typed` is `value` with two neighbouring letters the wrong way round."""
    if len(typed) != len(value) or len(value) < MIN_SWAPPED_CHARS or typed == value:
        return False
    first = next(index for index, (a, b) in enumerate(zip(typed, value, strict=True)) if a != b)
    return (
        first + 1 < len(value)
        and typed[first] == value[first + 1]
        and typed[first + 1] == value[first]
        and typed[first + 2 :] == value[first + 2 :]
    )


@dataclass(frozen=True)
class _Part:
    """One word of a term: its stem (STEM, SUFFIX) or its unaccented text (PREFIX);
    for SUFFIX, how long the compound's last part must be at least (the word as
    written less one letter), so that an inflection ending is not taken for it."""

    value: str
    kind: _Kind
    shortest: int = 0

    def matches(self, word: str, stemmed: str, language: str) -> bool:
        """Whether a comment's word (case-folded and unaccented) and its stem match."""
        if self.kind is _Kind.STEM:
            return _same_stem(stemmed, self.value, language) or _swapped(stemmed, self.value)
        if self.kind is _Kind.PREFIX:
            return word.startswith(self.value) or _swapped(word[: len(self.value)], self.value)
        return self._ends_in(word, language)

    def _ends_in(self, word: str, language: str) -> bool:
        """Whether some ending of the word, stemmed as a word of its own, is the part:
        the compound's last word in any of its forms. Only the endings that begin
        where the stem's first letters occur, and are at most `MAX_INFLECTION_CHARS`
        longer than the word written, are stemmed: a bounded number of short ones,
        however long the comment's word."""
        first = max(0, len(word) - self.shortest - 1 - MAX_INFLECTION_CHARS)
        start = word.find(self.value[:MIN_PREFIX_CHARS], first)
        while 0 <= start <= len(word) - self.shortest:
            if _same_stem(stem(word[start:], language), self.value, language):
                return True
            start = word.find(self.value[:MIN_PREFIX_CHARS], start + 1)
        return False


@dataclass(frozen=True)
class _Pattern:
    """One term or exclusion: its words, each a stem, a prefix or an ending."""

    written: str
    parts: tuple[_Part, ...]

    def occurrences(self, plain: Sequence[str], stemmed: Sequence[str], language: str) -> list[int]:
        """Where the pattern starts in a comment's words (`plain`: case-folded and
        unaccented)."""
        size = len(self.parts)
        found = []
        for start in range(len(stemmed) - size + 1):
            if all(
                part.matches(plain[start + i], stemmed[start + i], language)
                for i, part in enumerate(self.parts)
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


def _refused(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(ErrorCode.INVALID_INPUT, message, field)


def _piece_parts(piece: str, language: str, field: str) -> list[_Part]:
    """The parts of one space-separated piece of a term: a hyphenated piece is
    several words; a `*` may begin or end it (not both)."""
    is_suffix = piece.startswith("*")
    is_prefix = piece.endswith("*") and len(piece) > 1
    if is_prefix and is_suffix:
        raise _refused(field, "A word may begin or end with *, not both.")
    body = piece[1 if is_suffix else 0 : -1 if is_prefix else None]
    found = [folded for _, folded in words(body)]
    if not _PIECE.fullmatch(body) or not found:
        raise _refused(
            field, "A term is words separated by spaces; only the start or end of a word may be *."
        )
    parts = [_Part(stem(folded, language), _Kind.STEM) for folded in found]
    if is_suffix:
        parts[0] = _starred(found[0], language, field, _Kind.SUFFIX)
    if is_prefix:
        parts[-1] = _starred(found[-1], language, field, _Kind.PREFIX)
    return parts


def _starred(folded: str, language: str, field: str, kind: _Kind) -> _Part:
    """The part of a word with a `*`: what a prefix begins with, or the stem an
    ending must have; either long enough not to match nearly every word."""
    value = _unaccented(folded, language) if kind is _Kind.PREFIX else stem(folded, language)
    if len(value) < MIN_PREFIX_CHARS:
        raise _refused(
            field, f"A word with * needs at least {MIN_PREFIX_CHARS} letters besides the *."
        )
    return _Part(value, kind, len(_unaccented(folded, language)) - 1)


def _pattern(written: str, language: str, field: str) -> _Pattern:
    text = written.strip()
    if not text:
        raise ValidationFailed(ErrorCode.RULE_EMPTY, "A term or exclusion is empty.", field)
    if len(text) > MAX_TERM_CHARS:
        raise _refused(field, f"A term has at most {MAX_TERM_CHARS} characters.")
    parts = [part for piece in text.split() for part in _piece_parts(piece, language, field)]
    if len(parts) > MAX_TERM_WORDS:
        raise _refused(field, f"A term has at most {MAX_TERM_WORDS} words.")
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
        _pattern(term, language, f"{field}.terms.{index}") for index, term in enumerate(rule.terms)
    )
    exclusions = tuple(
        _pattern(term, language, f"{field}.exclusions.{index}")
        for index, term in enumerate(rule.exclusions)
    )
    return CompiledRule(language, terms, exclusions)


def compile_theme(key: str, rules: Sequence[ThemeRule]) -> CompiledTheme:
    """Check a theme's rules (at least one, one per language) and compile them."""
    if not rules:
        raise ValidationFailed(ErrorCode.RULE_EMPTY, "A theme needs at least one rule.", "rules")
    compiled = tuple(compile_rule(rule, f"rules.{index}") for index, rule in enumerate(rules))
    languages = [rule.language for rule in compiled]
    if len(set(languages)) != len(languages):
        raise ValidationFailed(
            ErrorCode.INVALID_INPUT, "A theme has one rule per language.", "rules"
        )
    return CompiledTheme(key, compiled)


def _match_rule(
    rule: CompiledRule, plain: list[str], stemmed: list[str]
) -> tuple[_Pattern, int] | None:
    """The first term with an occurrence outside every exclusion, and where it is."""
    covered: set[int] = set()
    for exclusion in rule.exclusions:
        for start in exclusion.occurrences(plain, stemmed, rule.language):
            covered.update(range(start, start + len(exclusion.parts)))
    for term in rule.terms:
        for start in term.occurrences(plain, stemmed, rule.language):
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
    by_language: dict[str, tuple[list[str], list[str]]] = {}
    for theme in sorted(themes, key=lambda theme: theme.key):
        for rule in theme.rules:
            if language is not None and rule.language != language:
                continue
            if rule.language not in by_language:
                by_language[rule.language] = (
                    [_unaccented(word, rule.language) for word in folded],
                    [stem(word, rule.language) for word in folded],
                )
            found_term = _match_rule(rule, *by_language[rule.language])
            if found_term is None:
                continue
            term, start = found_term
            matched = tuple(written[start : start + len(term.parts)])
            matches.append(Match(theme.key, rule.language, term.written, matched))
            break
    return matches


def as_tags(matches: Iterable[Match]) -> list[ThemeTag]:
    """The matcher's matches as the tags a response stores."""
    return [
        ThemeTag(theme=found.theme, language=found.language, rule=found.rule, words=[*found.words])
        for found in matches
    ]
