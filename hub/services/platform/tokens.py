"""Signed, expiring tokens: the one way every public link (survey links, privacy
export downloads, rights-request verification, response export downloads) says who
made it, for what, and until when.

A token is a JSON object signed with the server secret (itsdangerous, HMAC-SHA1 over
a key derived per purpose): anyone holding it can read it, nobody can change it. The
purpose is the signer's salt, so a token made for one kind of link is refused by
every other. Its expiry is one field, `x`, in whole seconds since the epoch (UTC),
checked against the injected clock: a token is good before that second and expired
from it on. Anything wrong with a token is LINK_INVALID; a good token past its expiry
is LINK_EXPIRED. Nothing about the person belongs in a token, since links end up in
mail scanners, proxies and browser histories.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer

from hub.clock import Clock
from hub.errors import ErrorCode, ValidationFailed

# The one expiry field. Survey links have always named it so; keeping the name keeps
# the survey links already sent byte for byte the tokens this module makes.
EXPIRES = "x"
# Longer than any token made here: refused before the signature is even computed.
MAX_TOKEN = 1000


class Purpose(StrEnum):
    """What a token is for, one per kind of link; each is its signer's salt."""

    SURVEY_LINK = "survey-link"
    PRIVACY_EXPORT = "privacy-export"
    RIGHTS_VERIFICATION = "rights-verification"
    RESPONSE_EXPORT = "response-export"
    # Opt-out links are encrypted instead (channels/links.py, keyed by this name);
    # only the signed opt-out tokens of e-mails sent before that are read here. They
    # have no expiry: an opt-out link works as long as the server secret does.
    OPT_OUT = "opt-out"


def invalid() -> ValidationFailed:
    """What a link that is not one of ours, or no longer makes sense, is refused with."""
    return ValidationFailed(ErrorCode.LINK_INVALID, "The link is not valid.", "token")


def expired() -> ValidationFailed:
    """What a good link past its expiry is refused with."""
    return ValidationFailed(ErrorCode.LINK_EXPIRED, "The link has expired.", "token")


class SignedTokens:
    """Makes and opens the tokens of every purpose with one server secret."""

    def __init__(self, secret: bytes, clock: Clock) -> None:
        self.clock = clock
        self._serializers = {
            purpose: URLSafeSerializer(secret, salt=purpose.value) for purpose in Purpose
        }

    def issue(self, purpose: Purpose, payload: Mapping[str, Any], expires_at: datetime) -> str:
        """A token for `purpose` carrying `payload` (JSON values) until `expires_at`,
        cut to the whole second before it (a token never outlives what it says)."""
        if EXPIRES in payload:
            raise ValueError(f"{EXPIRES!r} is the expiry field of every token")
        if expires_at.tzinfo is None:
            raise ValueError("expires_at needs a time zone")
        return self._serializers[purpose].dumps({**payload, EXPIRES: int(expires_at.timestamp())})

    def open(
        self, purpose: Purpose, token: str, *, previous_expiry: str | None = None
    ) -> dict[str, Any]:
        """The payload of a token made for `purpose` (without the expiry field).
        LINK_INVALID if it is not one (changed, cut short, made for another purpose
        or with another secret, or without an expiry), LINK_EXPIRED if its second has
        come. `previous_expiry` names where tokens made before this module kept their
        expiry, for the kinds of link whose earlier tokens may still be in time."""
        payload = self._verified(purpose, token)
        field = EXPIRES if EXPIRES in payload or previous_expiry is None else previous_expiry
        value = payload.pop(field, None)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise invalid()
        if self.clock.now().timestamp() >= value:
            raise expired()
        return payload

    def open_without_expiry(self, purpose: Purpose, token: str) -> dict[str, Any]:
        """The payload of a token that was made without an expiry (only the opt-out
        links of earlier e-mails); LINK_INVALID if it is not a token for `purpose`."""
        return self._verified(purpose, token)

    def _verified(self, purpose: Purpose, token: str) -> dict[str, Any]:
        if len(token) > MAX_TOKEN:
            raise invalid()
        try:
            payload: object = self._serializers[purpose].loads(token)
        except BadSignature:
            raise invalid() from None
        if not isinstance(payload, dict):
            raise invalid()
        return payload
