"""Domain errors raised by services. Messages never contain personal data."""

from __future__ import annotations

from enum import Enum


class ErrorCode(Enum):
    INVALID_INPUT = "INVALID_INPUT"
    SCORE_OUT_OF_RANGE = "SCORE_OUT_OF_RANGE"
    COMMENT_EMPTY = "COMMENT_EMPTY"
    COMMENT_TOO_LONG = "COMMENT_TOO_LONG"
    INVALID_EMAIL = "INVALID_EMAIL"
    INVALID_COUNTRY = "INVALID_COUNTRY"
    INVALID_LOCALE = "INVALID_LOCALE"
    INVALID_URL = "INVALID_URL"
    NOT_FOUND = "NOT_FOUND"
    SURVEY_INACTIVE = "SURVEY_INACTIVE"
    CHANNEL_NOT_ENABLED = "CHANNEL_NOT_ENABLED"
    NOT_ELIGIBLE = "NOT_ELIGIBLE"
    ALREADY_ANSWERED = "ALREADY_ANSWERED"
    ALREADY_DECLINED = "ALREADY_DECLINED"
    ALREADY_COMMENTED = "ALREADY_COMMENTED"
    DUPLICATE_KEY = "DUPLICATE_KEY"
    INVALID_TRANSITION = "INVALID_TRANSITION"
    LINK_INVALID = "LINK_INVALID"
    LINK_EXPIRED = "LINK_EXPIRED"
    ALREADY_CLAIMED = "ALREADY_CLAIMED"
    NOT_CLAIMER = "NOT_CLAIMER"
    ALREADY_RESOLVED = "ALREADY_RESOLVED"
    ALREADY_EXTENDED = "ALREADY_EXTENDED"
    DUE_DATE_PASSED = "DUE_DATE_PASSED"
    NOT_EXECUTABLE = "NOT_EXECUTABLE"
    SUBJECT_NOT_NOTIFIED = "SUBJECT_NOT_NOTIFIED"
    VERIFICATION_LOCKED = "VERIFICATION_LOCKED"
    EXPORT_GONE = "EXPORT_GONE"
    NO_MATCHING_RECORDS = "NO_MATCHING_RECORDS"
    IDENTITY_NOT_LINKED = "IDENTITY_NOT_LINKED"
    NO_EMAIL_ADDRESS = "NO_EMAIL_ADDRESS"
    CONTACT_OBJECTED = "CONTACT_OBJECTED"
    CONTACT_RESTRICTED = "CONTACT_RESTRICTED"
    CONTACT_ERASED = "CONTACT_ERASED"
    ALREADY_RUNNING = "ALREADY_RUNNING"
    UNSUPPORTED_LANGUAGE = "UNSUPPORTED_LANGUAGE"
    RULE_EMPTY = "RULE_EMPTY"


class DomainError(Exception):
    """An expected failure: bad input, a missing thing, a conflict.

    Services raise these before writing anything, so a caller that gets one knows
    nothing changed.
    """

    def __init__(self, code: ErrorCode, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


class ValidationFailed(DomainError):
    pass


class NotFound(DomainError):
    def __init__(self, what: str, field: str | None = None) -> None:
        super().__init__(ErrorCode.NOT_FOUND, f"{what} not found.", field)


class Conflict(DomainError):
    pass
