"""Each contact rule at its boundary: blocked one day before, eligible on the day."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from hub.clock import FrozenClock
from hub.errors import Conflict, ErrorCode
from hub.models.activity import ContactState, Display
from hub.models.common import Channel
from hub.models.survey import ContactRules, SurveyStatus
from hub.services import Services
from hub.services.widget.throttling import Rule, in_sample
from tests.factories import context, make_survey, person
from tests.support.clock import START

WEB = Channel.IN_APP_WEB
DAY = timedelta(days=1)


async def show(services: Services, survey_key: str = "nps-main", number: int = 1) -> Display:
    return await services.responses.record_display(survey_key, person(number), WEB, context(), "en")


async def rule_now(
    services: Services, survey_key: str = "nps-main", number: int = 1
) -> Rule | None:
    eligibility = await services.responses.eligibility(survey_key, f"user-{number}", WEB)
    return eligibility.reason


async def test_a_new_person_is_eligible(services: Services) -> None:
    await make_survey(services)

    eligibility = await services.responses.eligibility("nps-main", "user-1", WEB)

    assert eligibility.eligible
    assert eligibility.reason is None
    assert eligibility.next_eligible_at is None


async def test_days_after_answer(services: Services, clock: FrozenClock) -> None:
    await make_survey(services, rules=ContactRules(days_after_answer=90))
    display = await show(services)
    await services.responses.submit_score(str(display.id), 9)

    clock.set(START + 89 * DAY)
    eligibility = await services.responses.eligibility("nps-main", "user-1", WEB)
    assert eligibility.reason is Rule.ANSWERED_RECENTLY
    assert eligibility.next_eligible_at == START + 90 * DAY

    clock.set(START + 90 * DAY)
    assert await rule_now(services) is None


async def test_days_after_decline(services: Services, clock: FrozenClock) -> None:
    await make_survey(services, rules=ContactRules(days_after_decline=30))
    display = await show(services)
    await services.responses.decline(str(display.id))

    clock.set(START + 29 * DAY)
    assert await rule_now(services) is Rule.DECLINED_RECENTLY

    clock.set(START + 30 * DAY)
    assert await rule_now(services) is None


async def test_min_days_between_displays(services: Services, clock: FrozenClock) -> None:
    await make_survey(services, rules=ContactRules(min_days_between_displays=5))
    await show(services)

    clock.set(START + 4 * DAY)
    assert await rule_now(services) is Rule.DISPLAYED_RECENTLY

    clock.set(START + 5 * DAY)
    assert await rule_now(services) is None


async def test_most_displays_without_an_answer(services: Services, clock: FrozenClock) -> None:
    rules = ContactRules(max_displays_without_answer=3, min_days_between_displays=1)
    await make_survey(services, rules=rules)
    for day in range(3):
        clock.set(START + day * DAY)
        await show(services)

    # Ignored three times: that counts as a decline from the last display (day 2).
    clock.set(START + 3 * DAY)
    eligibility = await services.responses.eligibility("nps-main", "user-1", WEB)
    assert eligibility.reason is Rule.TOO_MANY_UNANSWERED_DISPLAYS
    assert eligibility.next_eligible_at == START + 32 * DAY

    clock.set(START + 31 * DAY)
    assert await rule_now(services) is Rule.TOO_MANY_UNANSWERED_DISPLAYS

    clock.set(START + 32 * DAY)
    assert await rule_now(services) is None
    await show(services)
    state = await ContactState.find_one(ContactState.user_id == "user-1")
    assert state is not None and state.unanswered_displays == 1


async def test_an_answer_resets_the_unanswered_count(
    services: Services, clock: FrozenClock
) -> None:
    rules = ContactRules(max_displays_without_answer=2, min_days_between_displays=1)
    await make_survey(services, rules=rules)
    await show(services)
    clock.set(START + DAY)
    display = await show(services)
    await services.responses.submit_score(str(display.id), 7)

    state = await ContactState.find_one(ContactState.user_id == "user-1")
    assert state is not None and state.unanswered_displays == 0


async def test_global_display_cooldown(services: Services, clock: FrozenClock) -> None:
    assert services.settings.global_display_cooldown_days == 7
    await make_survey(services, key="survey-a")
    await make_survey(services, key="survey-b")
    await show(services, "survey-a")

    clock.set(START + 6 * DAY)
    eligibility = await services.responses.eligibility("survey-b", "user-1", WEB)
    assert eligibility.reason is Rule.GLOBAL_DISPLAY_COOLDOWN
    assert eligibility.next_eligible_at == START + 7 * DAY

    clock.set(START + 7 * DAY)
    assert await rule_now(services, "survey-b") is None


async def test_global_answer_cooldown(services: Services, clock: FrozenClock) -> None:
    assert services.settings.global_answer_cooldown_days == 30
    await make_survey(services, key="survey-a")
    await make_survey(services, key="survey-b")
    display = await show(services, "survey-a")
    await services.responses.submit_score(str(display.id), 10)

    clock.set(START + 29 * DAY)
    assert await rule_now(services, "survey-b") is Rule.GLOBAL_ANSWER_COOLDOWN

    clock.set(START + 30 * DAY)
    assert await rule_now(services, "survey-b") is None


async def test_sampling_is_stable_and_near_the_percentage(services: Services) -> None:
    await make_survey(services, rules=ContactRules(sampling_percent=30))
    sampled = [in_sample("nps-main", f"user-{n}", 30) for n in range(2000)]

    assert 0.26 < sum(sampled) / len(sampled) < 0.34
    assert sampled == [in_sample("nps-main", f"user-{n}", 30) for n in range(2000)]
    outside = sampled.index(False)
    for _ in range(3):
        assert await rule_now(services, number=outside) is Rule.NOT_SAMPLED
    inside = sampled.index(True)
    assert await rule_now(services, number=inside) is None


@pytest.mark.parametrize(("percent", "expected"), [(0, False), (100, True)])
def test_sampling_extremes(percent: float, expected: bool) -> None:
    assert all(in_sample("s", f"u{n}", percent) is expected for n in range(200))


async def test_minimum_logins(services: Services) -> None:
    await make_survey(services, rules=ContactRules(min_logins=3))
    for _ in range(2):
        await services.responses.record_login(person(1))
    assert await rule_now(services) is Rule.NOT_ENOUGH_LOGINS

    await services.responses.record_login(person(1))
    assert await rule_now(services) is None


async def test_days_since_first_seen(services: Services, clock: FrozenClock) -> None:
    await make_survey(services, rules=ContactRules(min_days_since_first_seen=14))
    assert await rule_now(services) is Rule.TOO_SOON_SINCE_FIRST_SEEN

    await services.responses.record_login(person(1))
    clock.set(START + 13 * DAY)
    eligibility = await services.responses.eligibility("nps-main", "user-1", WEB)
    assert eligibility.reason is Rule.TOO_SOON_SINCE_FIRST_SEEN
    assert eligibility.next_eligible_at == START + 14 * DAY

    clock.set(START + 14 * DAY)
    assert await rule_now(services) is None


async def test_leap_day_counts_as_a_day(services: Services, clock: FrozenClock) -> None:
    clock.set(datetime(2028, 2, 15, 9, 30, tzinfo=UTC))
    await make_survey(services, rules=ContactRules(days_after_decline=30))
    display = await show(services)
    await services.responses.decline(str(display.id))

    clock.set(datetime(2028, 3, 16, 9, 29, tzinfo=UTC))
    assert await rule_now(services) is Rule.DECLINED_RECENTLY
    clock.set(datetime(2028, 3, 16, 9, 30, tzinfo=UTC))
    assert await rule_now(services) is None


async def test_every_blocking_rule_is_reported(services: Services, clock: FrozenClock) -> None:
    await make_survey(services, rules=ContactRules(days_after_decline=30))
    display = await show(services)
    await services.responses.decline(str(display.id))
    clock.set(START + DAY / 2)

    eligibility = await services.responses.eligibility("nps-main", "user-1", WEB)

    blocks = {block.rule: block.until for block in eligibility.blocks}
    assert blocks == {
        Rule.DECLINED_RECENTLY: START + 30 * DAY,
        Rule.DISPLAYED_RECENTLY: START + DAY,
    }
    assert eligibility.reason is Rule.DECLINED_RECENTLY
    assert eligibility.next_eligible_at == START + 30 * DAY


async def test_survey_state_and_channel(services: Services) -> None:
    await make_survey(services, key="paused", status=SurveyStatus.PAUSED)
    await make_survey(services, key="web-only", channels=[Channel.IN_APP_WEB])

    assert await rule_now(services, "missing") is Rule.SURVEY_NOT_FOUND
    assert await rule_now(services, "paused") is Rule.SURVEY_INACTIVE
    eligibility = await services.responses.eligibility("web-only", "user-1", Channel.EMAIL)
    assert eligibility.reason is Rule.CHANNEL_NOT_ENABLED


async def test_a_display_is_refused_when_not_eligible(
    services: Services, clock: FrozenClock
) -> None:
    await make_survey(services, rules=ContactRules(min_days_between_displays=3))
    await show(services)
    clock.set(START + DAY)

    with pytest.raises(Conflict) as refused:
        await show(services)

    assert refused.value.code is ErrorCode.NOT_ELIGIBLE
    assert await Display.find_all().count() == 1


async def test_simultaneous_displays_to_one_person_yield_one(services: Services) -> None:
    await make_survey(services)

    results = await asyncio.gather(*(show(services) for _ in range(10)), return_exceptions=True)

    shown = [result for result in results if isinstance(result, Display)]
    refused = [result for result in results if isinstance(result, Conflict)]
    assert len(shown) == 1 and len(refused) == 9
    assert all(error.code is ErrorCode.NOT_ELIGIBLE for error in refused)
    assert await Display.find_all().count() == 1
    state = await ContactState.find_one(ContactState.user_id == "user-1")
    assert state is not None and state.unanswered_displays == 1
