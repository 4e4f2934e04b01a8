"""One normal form for the identifiers people are found by, so that every
comparison (throttling, suppression, rights, retention, Slack redaction) agrees."""

from __future__ import annotations


def normalize_email(value: str) -> str:
    """An e-mail address as every comparison sees it: trimmed and case-folded."""
    return value.strip().casefold()
