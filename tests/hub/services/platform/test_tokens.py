"""Signed, expiring tokens: one helper for every public link, refusing what was made
for another purpose, changed, made with another secret, or has run out (to the
second, by the injected clock); and the tokens made before it still open."""

from __future__ import annotations

from datetime import timedelta

import pytest
from itsdangerous import URLSafeSerializer

from hub.clock import FrozenClock
from hub.errors import DomainError, ErrorCode
from hub.services.platform.tokens import MAX_TOKEN, Purpose, SignedTokens
from tests.support.clock import START

SECRET = b"s" * 32


@pytest.fixture
def tokens(clock: FrozenClock) -> SignedTokens:
    return SignedTokens(SECRET, clock)


def code_of(tokens: SignedTokens, purpose: Purpose, token: str) -> ErrorCode:
    with pytest.raises(DomainError) as refused:
        tokens.open(purpose, token)
    return refused.value.code


def test_a_token_opens_to_its_payload_until_its_second(
    tokens: SignedTokens, clock: FrozenClock
) -> None:
    token = tokens.issue(Purpose.PRIVACY_EXPORT, {"request": "r1"}, START + timedelta(hours=1))

    assert tokens.open(Purpose.PRIVACY_EXPORT, token) == {"request": "r1"}
    clock.advance(timedelta(hours=1, seconds=-1))
    assert tokens.open(Purpose.PRIVACY_EXPORT, token) == {"request": "r1"}
    clock.advance(timedelta(seconds=1))
    assert code_of(tokens, Purpose.PRIVACY_EXPORT, token) is ErrorCode.LINK_EXPIRED


def test_an_expiry_within_a_second_counts_from_the_second_before(
    tokens: SignedTokens, clock: FrozenClock
) -> None:
    token = tokens.issue(Purpose.SURVEY_LINK, {}, START + timedelta(seconds=1, milliseconds=900))

    clock.advance(timedelta(milliseconds=999))
    assert tokens.open(Purpose.SURVEY_LINK, token) == {}
    clock.advance(timedelta(milliseconds=1))
    assert code_of(tokens, Purpose.SURVEY_LINK, token) is ErrorCode.LINK_EXPIRED


def test_a_token_for_another_purpose_is_invalid(tokens: SignedTokens) -> None:
    token = tokens.issue(Purpose.RIGHTS_VERIFICATION, {"request": "r1"}, START + timedelta(1))

    for other in set(Purpose) - {Purpose.RIGHTS_VERIFICATION}:
        assert code_of(tokens, other, token) is ErrorCode.LINK_INVALID


def test_a_changed_or_cut_token_is_invalid(tokens: SignedTokens) -> None:
    token = tokens.issue(Purpose.SURVEY_LINK, {"l": "abc"}, START + timedelta(days=1))
    body, signature = token.rsplit(".", 1)
    other = tokens.issue(Purpose.SURVEY_LINK, {"l": "abd"}, START + timedelta(days=9))

    for changed in (
        f"{body}.{'A' if signature[0] != 'A' else 'B'}{signature[1:]}",
        f"{other.rsplit('.', 1)[0]}.{signature}",
        token[:-3],
        body,
        "",
        "garbage",
        "é.ü",
        token + "A" * MAX_TOKEN,
    ):
        assert code_of(tokens, Purpose.SURVEY_LINK, changed) is ErrorCode.LINK_INVALID


def test_an_expired_token_that_was_changed_is_invalid_not_expired(
    tokens: SignedTokens, clock: FrozenClock
) -> None:
    token = tokens.issue(Purpose.SURVEY_LINK, {"l": "abc"}, START + timedelta(days=1))
    changed = token[:-1] + ("A" if token[-1] != "A" else "B")
    clock.advance(timedelta(days=2))

    assert code_of(tokens, Purpose.SURVEY_LINK, changed) is ErrorCode.LINK_INVALID


def test_a_token_made_with_another_secret_is_invalid(
    tokens: SignedTokens, clock: FrozenClock
) -> None:
    theirs = SignedTokens(b"t" * 32, clock)
    token = theirs.issue(Purpose.SURVEY_LINK, {"l": "abc"}, START + timedelta(days=1))

    assert theirs.open(Purpose.SURVEY_LINK, token) == {"l": "abc"}
    assert code_of(tokens, Purpose.SURVEY_LINK, token) is ErrorCode.LINK_INVALID


def test_a_signed_object_without_an_expiry_is_invalid(tokens: SignedTokens) -> None:
    signer = URLSafeSerializer(SECRET, salt=Purpose.SURVEY_LINK.value)

    for payload in ({"l": "abc"}, {"l": "abc", "x": "soon"}, {"x": True}, ["x", 1]):
        assert code_of(tokens, Purpose.SURVEY_LINK, signer.dumps(payload)) is (
            ErrorCode.LINK_INVALID
        )


def test_the_payload_cannot_carry_its_own_expiry(tokens: SignedTokens) -> None:
    with pytest.raises(ValueError):
        tokens.issue(Purpose.SURVEY_LINK, {"x": 2**40}, START)


def test_survey_link_tokens_are_those_made_before_the_helper(tokens: SignedTokens) -> None:
    # Survey links in e-mails live up to a year: their format must not change.
    expires = START + timedelta(days=14)
    before = URLSafeSerializer(SECRET, salt="survey-link").dumps(
        {"l": "65f000000000000000000001", "x": int(expires.timestamp())}
    )

    assert tokens.issue(Purpose.SURVEY_LINK, {"l": "65f000000000000000000001"}, expires) == before


def test_a_previous_expiry_field_is_read_only_where_named(
    tokens: SignedTokens, clock: FrozenClock
) -> None:
    expires = (START + timedelta(hours=30)).timestamp()
    before = URLSafeSerializer(SECRET, salt="rights-verification").dumps(
        {"request": "r1", "expires": expires}
    )

    assert tokens.open(Purpose.RIGHTS_VERIFICATION, before, previous_expiry="expires") == {
        "request": "r1"
    }
    assert code_of(tokens, Purpose.RIGHTS_VERIFICATION, before) is ErrorCode.LINK_INVALID
    clock.advance(timedelta(hours=30))
    with pytest.raises(DomainError) as refused:
        tokens.open(Purpose.RIGHTS_VERIFICATION, before, previous_expiry="expires")
    assert refused.value.code is ErrorCode.LINK_EXPIRED


def test_a_token_without_expiry_opens_only_where_asked_for(tokens: SignedTokens) -> None:
    signed = URLSafeSerializer(SECRET, salt="opt-out").dumps({"s": "nps-main", "u": "user-7"})

    assert tokens.open_without_expiry(Purpose.OPT_OUT, signed) == {"s": "nps-main", "u": "user-7"}
    assert code_of(tokens, Purpose.OPT_OUT, signed) is ErrorCode.LINK_INVALID
    with pytest.raises(DomainError) as refused:
        tokens.open_without_expiry(Purpose.OPT_OUT, signed[:-2] + "xx")
    assert refused.value.code is ErrorCode.LINK_INVALID
