"""Personal data inside free text (comments, resolution notes): the one place that
finds it.

E-mail addresses, phone numbers and URLs are found by their shape. User ids and
usernames have no shape: a word of the text is one when the hub knows it as the
`user.id` or `user.username` of a response or a display. The words of a whole batch
of texts are looked up together, one indexed `$in` query per collection, so masking
a page or a CSV chunk costs the same few commands whatever the number of comments.

- `masked(texts)`: for roles that see masked data (viewers, agents, Slack): e-mail
  addresses, phone numbers, user ids and usernames of anyone replaced by placeholders.
- `redacted_for_subject(texts, own)`: for the subject's own access export: other
  people's e-mail addresses, user ids and usernames and staff names replaced; the
  subject's own identifiers kept.
- `scrub(text)`: retention's anonymisation of a comment (addresses, URLs, phones).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from typing import Any

from hub.services.platform.store import CollectionStore
from hub.services.privacy.identity import normalize_email
from hub.services.widget.stores import displays, responses

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
URL = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)
PHONE = re.compile(r"(?<![\w])\+?\d[\d\s().-]{6,}\d(?![\w])")
SLACK_MENTION = re.compile(r"<@[UW][A-Z0-9]+(?:\|[^>]*)?>")
MIN_QUOTED_LENGTH = 3  # shorter ids or usernames would match ordinary words

EMAIL_MARK = "[email]"
PHONE_MARK = "[phone]"
URL_MARK = "[url]"
USER_MARK = "[user]"
STAFF_MARK = "[staff]"

# Where a quoted identifier may start and end: not inside a longer word, an e-mail
# address or a dotted name; a leading "@" (a mention) or a trailing full stop is fine.
_BEFORE = r"(?<![\w.+-])(?<![\w.+-]@)"
_AFTER = r"(?![\w@-])"
_WORD = re.compile(_BEFORE + r"[\w.+-]+")
_ANONYMOUS = "anonymous"  # the user id of anonymised documents names nobody
_LOOKUP_CHUNK = 2000  # words per `$in`: a command stays far below the size limit
_LOOKED_UP: tuple[CollectionStore, ...] = (responses.STORE, displays.STORE)
# The identifiers a comment may quote, each indexed in both collections.
_QUOTED_FIELDS = ("user.id", "user.username")


def scrub(text: str) -> str:
    """Comment text without e-mail addresses, URLs or phone numbers."""
    text = EMAIL.sub(EMAIL_MARK, text)
    text = URL.sub(URL_MARK, text)
    return PHONE.sub(PHONE_MARK, text)


def quoted(terms: Iterable[str]) -> re.Pattern[str] | None:
    """A pattern for whole occurrences of any of the terms, in any case; longest first,
    so that a username is not cut short by a shorter id it starts with."""
    ordered = sorted({term for term in terms if term}, key=len, reverse=True)
    if not ordered:
        return None
    either = "|".join(re.escape(term) for term in ordered)
    return re.compile(f"{_BEFORE}(?:{either}){_AFTER}", re.IGNORECASE)


def replace_quoted(text: str, terms: Iterable[str], marker: str) -> str:
    """`text` with every whole occurrence of the terms replaced by the marker."""
    pattern = quoted(terms)
    return pattern.sub(marker, text) if pattern else text


def words(text: str) -> set[str]:
    """The words of `text` that could be a quoted user id or username, case-folded:
    each run of word characters, dots, dashes and pluses, and the parts of it that end
    before a dot or a plus (`zeta.lindqvist.` holds `zeta` and `zeta.lindqvist`)."""
    found: set[str] = set()
    for match in _WORD.finditer(text):
        run = match.group(0)
        ends = [index for index, char in enumerate(run) if char in ".+"] + [len(run)]
        for end in ends:
            if end >= MIN_QUOTED_LENGTH:
                found.add(run[:end].casefold())
    return found


def _spellings(word: str) -> set[str]:
    """How a case-folded word may be stored: as written in lower, upper, or title case.
    Other mixtures of case are not found (the index compares exactly)."""
    return {word, word.upper(), word.capitalize(), word.title()}


async def known_identifiers(texts: Iterable[str]) -> dict[str, str]:
    """The user ids and usernames the hub knows that occur in the texts, case-folded
    to the stored spelling; one indexed query per collection, field and chunk of words
    (an `$or` of the two fields would scan the whole collection on some servers)."""
    candidates = sorted(
        {spelling for text in texts for word in words(text) for spelling in _spellings(word)}
    )
    found: dict[str, str] = {}
    for start in range(0, len(candidates), _LOOKUP_CHUNK):
        chunk = candidates[start : start + _LOOKUP_CHUNK]
        for store in _LOOKED_UP:
            for field in _QUOTED_FIELDS:
                pipeline: list[dict[str, Any]] = [
                    {"$match": {field: {"$in": chunk}}},
                    {"$group": {"_id": None, "values": {"$addToSet": f"${field}"}}},
                ]
                cursor = await store.aggregate(pipeline)
                async for group in cursor:
                    for value in group.get("values", []):
                        if isinstance(value, str) and len(value) >= MIN_QUOTED_LENGTH:
                            found[value.casefold()] = value
    found.pop(_ANONYMOUS, None)
    return found


def _in_text(text: str, known: dict[str, str]) -> list[str]:
    return [known[word] for word in words(text) if word in known]


def mask_text(text: str, known: dict[str, str]) -> str:
    """`text` without e-mail addresses, phone numbers, and the known user ids and
    usernames (`known` as `known_identifiers` returns it)."""
    text = EMAIL.sub(EMAIL_MARK, text)
    text = PHONE.sub(PHONE_MARK, text)
    return replace_quoted(text, _in_text(text, known), USER_MARK)


async def masked(texts: Sequence[str]) -> list[str]:
    """Each text as roles that see masked data read it, in the order given; one lookup
    for the whole batch. Fits a DataLoader's batch function."""
    known = await known_identifiers(texts)
    return [mask_text(text, known) for text in texts]


def redact_others(
    text: str, known: dict[str, str], own: Collection[str], staff: Collection[str] = ()
) -> str:
    """`text` for its subject: other people's e-mail addresses and known user ids and
    usernames replaced, Slack mentions and staff names replaced by the staff marker;
    the subject's own identifiers (`own`) and phone numbers kept."""
    own_emails = {normalize_email(value) for value in own if "@" in value}
    own_terms = {value.casefold() for value in own}

    def email(match: re.Match[str]) -> str:
        return match.group(0) if normalize_email(match.group(0)) in own_emails else EMAIL_MARK

    text = EMAIL.sub(email, text)
    text = SLACK_MENTION.sub(STAFF_MARK, text)
    text = replace_quoted(
        text, [name for name in staff if len(name) >= MIN_QUOTED_LENGTH], STAFF_MARK
    )
    others = [term for term in _in_text(text, known) if term.casefold() not in own_terms]
    return replace_quoted(text, others, USER_MARK)
