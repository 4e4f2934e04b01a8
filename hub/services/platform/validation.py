"""Checks of the values people and products send in. Each raises `ValidationFailed`
naming the field; none repeats the rejected value, which may be personal data."""

from __future__ import annotations

import re
import unicodedata
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pycountry
from email_validator import EmailNotValidError, validate_email

from hub.errors import ErrorCode, ValidationFailed
from hub.models.activity import DisplayContext
from hub.models.common import UserIdentity
from hub.services.privacy.identity import normalize_email

MAX_COMMENT_LENGTH = 5000
MAX_NAME_LENGTH = 200
MAX_URL_LENGTH = 2048
_LOCALE = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8}){0,3}$")
_SURVEY_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{1,63}$")
# What no text may hold: lone surrogates (not Unicode text at all: they cannot be
# stored or encoded) and control characters; free text may still hold tabs and line
# breaks (\t \n \r), a single-line value (a key, an id, a name, an address) nothing.
_NOT_ONE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_NOT_FREE_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def _strip(value: str) -> str:
    """Drop control characters (but line breaks and tabs) and surrounding blanks."""
    return "".join(
        ch for ch in value if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cs")
    ).strip()


def well_formed_text(value: str, field: str, free_text: bool = False) -> str:
    """`value` unchanged if it is well-formed Unicode without control characters (but
    tabs and line breaks in `free_text`); otherwise `ValidationFailed` naming `field`.
    Every edge (GraphQL, the web forms, Slack) checks what it takes in with this rule
    before anything else sees it."""
    found = (_NOT_FREE_TEXT if free_text else _NOT_ONE_LINE).search(value)
    if found is None:
        return value
    if "\ud800" <= found.group() <= "\udfff":
        message = f"{field} is not well-formed Unicode text (it holds a lone surrogate)."
    elif free_text:
        message = f"{field} holds a control character; only tabs and line breaks are allowed."
    else:
        message = f"{field} holds a control character or line break; it must be one line."
    raise ValidationFailed(ErrorCode.INVALID_INPUT, message, field)


def clean_text(value: str | None, field: str, max_length: int = MAX_NAME_LENGTH) -> str | None:
    """Strip, drop control characters, and turn an empty string into None."""
    if value is None:
        return None
    cleaned = _strip(value)
    if len(cleaned) > max_length:
        raise ValidationFailed(
            ErrorCode.INVALID_INPUT, f"{field} is longer than {max_length} characters.", field
        )
    return cleaned or None


def required_text(value: str, field: str, max_length: int = MAX_NAME_LENGTH) -> str:
    cleaned = clean_text(value, field, max_length)
    if cleaned is None:
        raise ValidationFailed(ErrorCode.INVALID_INPUT, f"{field} must not be empty.", field)
    return cleaned


def email(value: str | None, field: str = "user.email") -> str | None:
    """A valid address in the one normal form every comparison uses."""
    if value is None or not value.strip():
        return None
    try:
        result = validate_email(value.strip(), check_deliverability=False)
    except EmailNotValidError:
        raise ValidationFailed(
            ErrorCode.INVALID_EMAIL, "The e-mail address is not valid.", field
        ) from None
    return normalize_email(str(result.normalized))


def country(value: str | None, field: str = "context.country") -> str | None:
    if value is None or not value.strip():
        return None
    code = value.strip().upper()
    if len(code) != 2 or pycountry.countries.get(alpha_2=code) is None:
        raise ValidationFailed(
            ErrorCode.INVALID_COUNTRY,
            "The country must be an ISO 3166-1 alpha-2 code, such as ES or NO.",
            field,
        )
    return code


def locale_or_none(value: str | None) -> str | None:
    """A well-formed locale tag, normalised (`es-mx` → `es-MX`), or None if absent
    or malformed: an unknown locale falls back to the survey's default."""
    if value is None or not _LOCALE.match(value.strip()):
        return None
    parts = value.strip().replace("_", "-").split("-")
    return "-".join([parts[0].lower(), *(p.upper() if len(p) == 2 else p for p in parts[1:])])


def locale(value: str, field: str) -> str:
    normalised = locale_or_none(value)
    if normalised is None:
        raise ValidationFailed(
            ErrorCode.INVALID_LOCALE, "The locale must be a tag such as en or es-MX.", field
        )
    return normalised


def url(value: str | None, field: str = "context.url") -> str | None:
    cleaned = clean_text(value, field, MAX_URL_LENGTH)
    if cleaned is None:
        return None
    if not re.match(r"^https?://[^\s]+$", cleaned, re.IGNORECASE):
        raise ValidationFailed(ErrorCode.INVALID_URL, "The URL must start with http(s)://.", field)
    return cleaned


def survey_key(value: str, field: str = "key") -> str:
    if not _SURVEY_KEY.match(value):
        raise ValidationFailed(
            ErrorCode.INVALID_INPUT,
            "A survey key is 2-64 lowercase letters, digits, '-' or '_'.",
            field,
        )
    return value


def user_identity(user: UserIdentity) -> UserIdentity:
    return UserIdentity(
        id=required_text(user.id, "user.id"),
        username=clean_text(user.username, "user.username"),
        email=email(user.email),
    )


def display_context(context: DisplayContext) -> DisplayContext:
    return DisplayContext(
        company=clean_text(context.company, "context.company"),
        country=country(context.country),
        url=url(context.url),
        product=clean_text(context.product, "context.product"),
    )


def time_zone(name: str, field: str, message: str = "Not an IANA time zone name.") -> ZoneInfo:
    """The IANA zone `name` names, or INVALID_INPUT on `field`. A name that is a folder
    of the zone database ("America") or unreadable raises OSError there, not
    ZoneInfoNotFoundError: it is refused like any other."""
    try:
        return ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValidationFailed(ErrorCode.INVALID_INPUT, message, field) from None


def bounded_text(value: str, field: str, what: str, max_length: int) -> str:
    """`value` without surrounding blanks, refused (INVALID_INPUT on `field`) when that
    leaves nothing or more than `max_length` characters: a note, a reason. Unlike
    `required_text` it keeps the text as given (the edges refuse control characters)
    and names the thing in its messages."""
    text = value.strip()
    if not text:
        raise ValidationFailed(ErrorCode.INVALID_INPUT, f"{what} is needed.", field)
    if len(text) > max_length:
        raise ValidationFailed(
            ErrorCode.INVALID_INPUT, f"{what} is at most {max_length} characters.", field
        )
    return text


def comment(value: str) -> str:
    cleaned = _strip(value)
    if not cleaned:
        raise ValidationFailed(ErrorCode.COMMENT_EMPTY, "The comment is empty.", "comment")
    if len(cleaned) > MAX_COMMENT_LENGTH:
        raise ValidationFailed(
            ErrorCode.COMMENT_TOO_LONG,
            f"The comment is longer than {MAX_COMMENT_LENGTH} characters.",
            "comment",
        )
    return cleaned
