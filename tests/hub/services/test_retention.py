"""Retention to the day: responses keep their identity for 3 calendar years (or the
survey's shorter retention), leap days included; old displays and logins go; a dry
run changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hub.clock import FrozenClock
from hub.db import Database
from hub.errors import ValidationFailed
from hub.models.activity import Login
from hub.models.common import Channel, UserIdentity
from hub.models.privacy import AuditActor, AuditEntry
from hub.models.response import Response
from hub.services import Services
from hub.services.free_text import scrub
from hub.settings import Settings
from tests.factories import context, make_survey

SYSTEM = AuditActor(key_id=None, role="system", label="test")
A = UserIdentity(id="subject-a-4711", username="annalund", email="anna.lund@example.org")


async def _answered_at(services: Services, clock: FrozenClock, at: datetime) -> Response:
    clock.set(at)
    display = await services.responses.record_display(
        "nps-main", A, Channel.IN_APP_WEB, context(), "en"
    )
    response = await services.responses.submit_score(str(display.id), 3)
    return await services.responses.submit_comment(
        str(response.id),
        "Mail anna.lund@example.org or call +47 555 12 345, see https://x.example/t?token=abc",
    )


async def _identified(response: Response) -> bool:
    stored = await Response.get(response.id)
    assert stored is not None
    return stored.user.id == A.id


@pytest.mark.parametrize(
    ("answered", "kept_until", "anonymised_on"),
    [
        # 3 calendar years: the day before is kept, the day itself anonymised
        (
            datetime(2026, 3, 1, 10, tzinfo=UTC),
            datetime(2029, 3, 1, 9, 59, tzinfo=UTC),
            datetime(2029, 3, 1, 10, tzinfo=UTC),
        ),
        # answered on a leap day: 3 years later is 28 February
        (
            datetime(2028, 2, 29, 10, tzinfo=UTC),
            datetime(2031, 2, 27, 10, tzinfo=UTC),
            datetime(2031, 2, 28, 10, tzinfo=UTC),
        ),
    ],
)
async def test_three_years_to_the_day(
    services: Services,
    clock: FrozenClock,
    answered: datetime,
    kept_until: datetime,
    anonymised_on: datetime,
) -> None:
    await make_survey(services, key="nps-main")
    response = await _answered_at(services, clock, answered)

    clock.set(kept_until)
    kept = await services.retention.run(False, SYSTEM)
    assert kept.responses_anonymised == 0 and await _identified(response)

    clock.set(anonymised_on)
    report = await services.retention.run(False, SYSTEM)

    assert report.responses_anonymised == 1
    stored = await Response.get(response.id)
    assert stored is not None
    assert stored.user.id == "anonymous" and stored.user.email is None and stored.url is None
    assert stored.comment == "Mail [email] or call [phone], see [url]"
    assert stored.score == 3 and stored.survey_key == "nps-main"
    assert (await services.retention.run(False, SYSTEM)).responses_anonymised == 0


async def test_a_dry_run_counts_and_changes_nothing(
    services: Services, clock: FrozenClock, database: Database
) -> None:
    await make_survey(services, key="nps-main")
    await services.responses.record_login(A)
    response = await _answered_at(services, clock, datetime(2026, 3, 1, tzinfo=UTC))
    clock.set(datetime(2029, 6, 1, tzinfo=UTC))
    before = {
        name: [doc async for doc in database[name].find()]
        for name in ("responses", "displays", "logins", "follow_ups")
    }

    report = await services.retention.run(True, SYSTEM)

    assert report.dry_run and report.responses_anonymised == 1
    assert report.displays_deleted == 1 and report.logins_deleted == 1
    for name, docs in before.items():
        assert [doc async for doc in database[name].find()] == docs, name
    assert await _identified(response)
    entries = await services.audit.entries(action="retention.run")
    assert entries[0].details["dry_run"] is True


async def test_old_displays_and_logins_go_recent_ones_stay(
    services: Services, clock: FrozenClock
) -> None:
    await make_survey(services, key="nps-main")  # looks back 90 days after an answer
    await services.responses.record_login(A)
    clock.advance(timedelta(days=60))
    await services.responses.record_login(A)
    clock.advance(timedelta(days=40))  # the first login is 100 days old

    report = await services.retention.run(False, SYSTEM)

    assert report.activity_kept_days == 90
    assert report.logins_deleted == 1 and await Login.count() == 1


async def test_a_survey_keeps_less_never_more(services: Services, clock: FrozenClock) -> None:
    await make_survey(services, key="nps-main")
    response = await _answered_at(services, clock, datetime(2026, 3, 1, tzinfo=UTC))
    with pytest.raises(ValidationFailed):
        await services.retention.set_survey_retention("nps-main", 2000)
    await services.retention.set_survey_retention("nps-main", 30)

    clock.set(datetime(2026, 3, 30, tzinfo=UTC))
    assert (await services.retention.run(False, SYSTEM)).responses_anonymised == 0
    clock.set(datetime(2026, 3, 31, tzinfo=UTC))
    assert (await services.retention.run(False, SYSTEM)).responses_anonymised == 1
    assert not await _identified(response)


async def test_the_global_maximum_caps_a_survey(settings: Settings, clock: FrozenClock) -> None:
    capped = settings.model_copy(update={"retention_days": 10})
    services = Services.build(capped, clock)
    await make_survey(services, key="nps-main")
    response = await _answered_at(services, clock, datetime(2026, 3, 1, tzinfo=UTC))
    await services.retention.set_survey_retention("nps-main", 10)

    clock.set(datetime(2026, 3, 11, tzinfo=UTC))
    assert (await services.retention.run(False, SYSTEM)).responses_anonymised == 1
    assert not await _identified(response)


def test_scrub() -> None:
    assert scrub("write a.b+c@ex.co.uk, tel 0047 22 33 44 55") == "write [email], tel [phone]"
    assert scrub("score 10 of 10 in 2026") == "score 10 of 10 in 2026"


async def test_one_process_takes_each_days_run(settings: Settings, clock: FrozenClock) -> None:
    daily = settings.model_copy(update={"retention_daily": True})
    processes = [Services.build(daily, clock) for _ in range(3)]

    async def runs() -> int:
        return await AuditEntry.find(AuditEntry.action == "retention.run").count()

    first_day = [await p.scheduler.run_due() for p in processes]
    assert sorted(first_day) == [[], [], ["retention"]]
    assert [await p.scheduler.run_due() for p in processes] == [[], [], []]
    assert await runs() == 1

    clock.advance(timedelta(days=1))

    next_day = [await p.scheduler.run_due() for p in processes]
    assert sorted(next_day) == [[], [], ["retention"]]
    assert await runs() == 2
