"""The suppression list keeps keyed hashes only, and suppressed people are never
eligible again, on any survey or channel."""

from __future__ import annotations

from datetime import timedelta

from pydantic import SecretStr

from hub.clock import FrozenClock
from hub.db import Database
from hub.models.common import Channel
from hub.models.suppression import SuppressionReason
from hub.server_secret import server_secret
from hub.services import Services
from hub.services.widget.throttling import Rule
from hub.settings import Settings
from tests.factories import make_survey


async def test_a_suppressed_person_is_never_eligible(
    services: Services, clock: FrozenClock
) -> None:
    survey = await make_survey(services)
    before = await services.throttling.check(survey, "user-1", Channel.IN_APP_WEB)

    await services.suppressions.suppress(SuppressionReason.OBJECTION, user_id="user-1")
    clock.advance(timedelta(days=3650))
    after = await services.throttling.check(survey, "user-1", Channel.IN_APP_WEB)
    other = await services.throttling.check(survey, "user-2", Channel.IN_APP_WEB)

    assert before.eligible
    assert not after.eligible and after.reason is Rule.SUPPRESSED
    assert after.next_eligible_at is None
    assert other.eligible


async def test_an_email_matches_whatever_its_case(services: Services) -> None:
    survey = await make_survey(services)
    await services.suppressions.suppress(SuppressionReason.ERASURE, email="Ana@Example.org")

    result = await services.throttling.check(
        survey, "new-id", Channel.MOBILE, email="ana@example.ORG"
    )

    assert result.reason is Rule.SUPPRESSED


async def test_only_keyed_hashes_are_stored_and_suppressing_twice_adds_nothing(
    services: Services, database: Database
) -> None:
    await services.suppressions.suppress(
        SuppressionReason.OBJECTION, user_id="user-1", email="ana@example.org"
    )
    await services.suppressions.suppress(SuppressionReason.OBJECTION, user_id="user-1")

    stored = await database["suppressions"].find().to_list()
    assert len(stored) == 2
    text = str(stored)
    assert "user-1" not in text and "ana@example.org" not in text


def test_the_secret_is_generated_once_and_kept(settings: Settings) -> None:
    first = server_secret(settings)
    second = server_secret(settings)
    configured = server_secret(settings.model_copy(update={"secret_key": SecretStr("s3cret")}))

    assert first == second and len(first) >= 48
    assert (settings.data_dir / "secret-key").stat().st_mode & 0o077 == 0
    assert configured == b"s3cret"


async def test_hashes_depend_on_the_secret(services: Services, settings: Settings) -> None:
    other = Services.build(
        settings.model_copy(update={"secret_key": SecretStr("another")}), services.clock
    )

    assert services.suppressions.hmacs("user-1") != other.suppressions.hmacs("user-1")
