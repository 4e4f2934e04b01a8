"""Retention to the day: responses keep their identity for 3 calendar years (or the
survey's shorter retention), leap days included; old displays and logins go; a dry
run changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hub.clock import FrozenClock
from hub.db import Database
from hub.errors import ValidationFailed
from hub.models.activity import ContactState, Display, Login, Person
from hub.models.common import Channel, UserIdentity
from hub.models.followup import FollowUp
from hub.models.outbox import OutboxMessage
from hub.models.privacy import (
    AuditActor,
    AuditEntry,
    RightsRequest,
    RightsRequestStatus,
    RightsRequestType,
    VerificationMethod,
)
from hub.models.response import Response
from hub.models.survey import ContactRules
from hub.services import Services
from hub.services.channels.invitations import Recipient
from hub.services.platform.outbox import Delivered, GiveUp, Outcome
from hub.services.privacy.free_text import scrub
from hub.services.privacy.registry import REGISTRY, Retention
from hub.services.privacy.rights import NewRequest
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

    async def retention_runs() -> list[list[str]]:
        """Which process ran retention (other scheduled jobs left aside)."""
        ran = [await p.scheduler.run_due() for p in processes]
        return sorted([job for job in jobs if job == "retention"] for jobs in ran)

    assert await retention_runs() == [[], [], ["retention"]]
    assert await retention_runs() == [[], [], []]
    assert await runs() == 1

    clock.advance(timedelta(days=1))

    assert await retention_runs() == [[], [], ["retention"]]
    assert await runs() == 2


# -- every collection (finding 6)

B = UserIdentity(id="subject-b-0815", username="bjornvik", email="bjorn.vik@example.org")


async def _raw_mentions(database: Database, collection: str, person: UserIdentity) -> list[str]:
    """The ids of documents in `collection` that still hold the person's id, username
    or e-mail address anywhere (keys included)."""
    needles = [value for value in (person.id, person.username, person.email) if value]
    found = []
    async for raw in database[collection].find():
        text = repr(raw)
        if any(needle in text for needle in needles):
            found.append(str(raw["_id"]))
    return found


async def test_an_anonymised_response_takes_its_display_along(
    services: Services, clock: FrozenClock, database: Database
) -> None:
    # Given a survey that keeps responses identified for 30 days, while the contact
    # rules still need the displays for 90
    await make_survey(services, key="nps-main")
    await services.retention.set_survey_retention("nps-main", 30)
    response = await _answered_at(services, clock, datetime(2026, 3, 1, tzinfo=UTC))
    assert response.display_id is not None

    # When retention runs after 30 days
    clock.set(datetime(2026, 3, 31, tzinfo=UTC))
    report = await services.retention.run(False, SYSTEM)

    # Then the display names nobody and no longer points at the response
    assert report.responses_anonymised == 1 and report.displays_anonymised == 1
    display = await Display.get(response.display_id)
    assert display is not None
    assert display.user.id == "anonymous" and display.user.email is None
    assert display.user.username is None
    assert display.response_id is None
    assert display.context.url is None and display.context.company is None
    assert await _raw_mentions(database, "displays", A) == []
    # And the shown and answered times stay for the response rate
    assert display.shown_at == datetime(2026, 3, 1, tzinfo=UTC)
    assert (await services.retention.run(False, SYSTEM)).displays_anonymised == 0


async def test_a_display_without_an_expired_response_keeps_its_person(
    services: Services, clock: FrozenClock
) -> None:
    await make_survey(services, key="nps-main")
    await services.retention.set_survey_retention("nps-main", 30)
    await _answered_at(services, clock, datetime(2026, 3, 1, tzinfo=UTC))
    clock.set(datetime(2026, 3, 20, tzinfo=UTC))
    other = await services.responses.record_display(
        "nps-main", B, Channel.IN_APP_WEB, context(), "en"
    )
    answered = await services.responses.submit_score(str(other.id), 9)

    clock.set(datetime(2026, 3, 31, tzinfo=UTC))
    await services.retention.run(False, SYSTEM)

    kept = await Display.get(other.id)
    assert kept is not None and kept.user.id == B.id and kept.response_id == answered.id


async def test_people_and_contact_states_expire_when_nothing_needs_them(
    services: Services, clock: FrozenClock
) -> None:
    # Given A, seen once and then never again, and B, who logged in at the same time
    # and was shown the survey again 60 days later
    await make_survey(services, key="nps-main")  # the contact rules look back 90 days
    clock.set(datetime(2026, 3, 1, tzinfo=UTC))
    await services.responses.record_login(A)
    await services.responses.record_display("nps-main", A, Channel.IN_APP_WEB, context(), "en")
    await services.responses.record_login(B)
    clock.set(datetime(2026, 4, 30, tzinfo=UTC))
    await services.responses.record_display("nps-main", B, Channel.IN_APP_WEB, context(), "en")

    # When retention runs 91 days after A was last seen
    clock.set(datetime(2026, 5, 31, tzinfo=UTC))
    report = await services.retention.run(False, SYSTEM)

    # Then A's summary and contact state are gone, B's stay
    assert report.people_deleted == 1 and report.contact_states_deleted == 1
    assert await Person.find_one(Person.user_id == A.id) is None
    assert await ContactState.find_one(ContactState.user_id == A.id) is None
    assert await Person.find_one(Person.user_id == B.id) is not None
    assert await ContactState.find_one(ContactState.user_id == B.id) is not None
    # And A may be surveyed again as someone new
    eligibility = await services.responses.eligibility("nps-main", A.id, Channel.IN_APP_WEB)
    assert eligibility.eligible


async def test_a_dry_run_counts_people_and_contact_states_without_deleting(
    services: Services, clock: FrozenClock
) -> None:
    await make_survey(services, key="nps-main")
    clock.set(datetime(2026, 3, 1, tzinfo=UTC))
    await services.responses.record_display("nps-main", A, Channel.IN_APP_WEB, context(), "en")
    clock.set(datetime(2026, 6, 1, tzinfo=UTC))

    report = await services.retention.run(True, SYSTEM)

    assert report.people_deleted == 1 and report.contact_states_deleted == 1
    assert await Person.count() == 1 and await ContactState.count() == 1


async def test_contact_rules_longer_than_three_years_keep_nobody_longer(
    services: Services, clock: FrozenClock
) -> None:
    await make_survey(services, key="nps-main", rules=ContactRules(days_after_answer=2000))
    clock.set(datetime(2026, 3, 1, tzinfo=UTC))
    await services.responses.record_login(A)
    await services.responses.record_display("nps-main", A, Channel.IN_APP_WEB, context(), "en")

    clock.set(datetime(2029, 3, 2, tzinfo=UTC))
    report = await services.retention.run(False, SYSTEM)

    assert report.activity_kept_days == 1096
    assert await Person.count() == 0 and await ContactState.count() == 0
    assert await Login.count() == 0


async def test_delivered_and_given_up_messages_go_after_the_outbox_window(
    services: Services, clock: FrozenClock
) -> None:
    async def deliver(message: OutboxMessage) -> Outcome:
        return GiveUp("refused") if message.key.startswith("refused") else Delivered()

    services.dispatcher.register("test.kind", deliver)
    clock.set(datetime(2026, 3, 1, tzinfo=UTC))
    for key in ("sent-old", "refused-old"):
        await services.outbox.enqueue("test.kind", key, "c1", {"to": A.email}, [A.id])
    await services.dispatcher.run_once()
    await services.outbox.enqueue("waiting.kind", "waiting", "c1", {"to": A.email}, [A.id])
    clock.set(datetime(2026, 3, 25, tzinfo=UTC))
    await services.outbox.enqueue("test.kind", "sent-recent", "c1", {"to": B.email}, [B.id])
    await services.dispatcher.run_once()

    clock.set(datetime(2026, 4, 1, tzinfo=UTC))  # 31 days after the first deliveries
    report = await services.retention.run(False, SYSTEM)

    assert report.outbox_deleted == 2
    keys = sorted([message.key async for message in OutboxMessage.find_all()])
    assert keys == ["sent-recent", "waiting"]

    # A message that could not be delivered for 3 years is not needed any more
    clock.set(datetime(2029, 2, 28, 23, 59, tzinfo=UTC))
    assert (await services.retention.run(False, SYSTEM)).outbox_deleted == 1  # sent-recent
    clock.set(datetime(2029, 3, 1, tzinfo=UTC))
    assert (await services.retention.run(False, SYSTEM)).outbox_deleted == 1
    assert await OutboxMessage.count() == 0


async def test_messages_delivered_before_they_were_cleared_are_cleared_by_the_run(
    services: Services, clock: FrozenClock, database: Database
) -> None:
    # Given a delivered message that still holds the address and user id (delivered
    # by an earlier version of the hub)
    await services.outbox.enqueue("email", "old-mail", "smtp", {"to": A.email}, [A.id])
    await database["outbox"].update_one(
        {"key": "old-mail"}, {"$set": {"status": "DELIVERED", "delivered_at": clock.now()}}
    )

    report = await services.retention.run(False, SYSTEM)

    assert report.outbox_cleared == 1
    assert await _raw_mentions(database, "outbox", A) == []


async def test_after_three_years_no_collection_names_the_person(
    services: Services, clock: FrozenClock, database: Database
) -> None:
    # Given a person who logged in, was shown a survey, answered with a comment routed
    # to Slack and was invited by e-mail (nothing delivered: no Slack, no SMTP)
    await make_survey(services, key="nps-main", channels=[Channel.IN_APP_WEB, Channel.EMAIL])
    await make_survey(services, key="nps-mail", channels=[Channel.EMAIL])
    await services.routing.set_defaults("CROUTED", None)
    clock.set(datetime(2026, 3, 1, tzinfo=UTC))
    await services.responses.record_login(A)
    invited = await services.invitations.send(
        "nps-mail", [Recipient(user_id=A.id, email=A.email, username=A.username)]
    )
    assert len(invited.invited) == 1
    response = await _answered_at(services, clock, datetime(2026, 3, 20, tzinfo=UTC))
    assert await FollowUp.find_one(FollowUp.response_id == response.id) is not None

    # When retention runs 3 years and a few days later
    clock.set(datetime(2029, 3, 21, tzinfo=UTC))
    await services.retention.run(False, SYSTEM)

    # Then every collection whose retention the run applies holds nothing of them
    for entry in REGISTRY:
        if entry.personal and Retention.EXPIRES not in entry.retention:
            if Retention.KEEP in entry.retention:
                continue
            assert await _raw_mentions(database, entry.collection, A) == [], entry.collection


async def test_rights_requests_lose_the_identity_three_years_after_they_were_closed(
    services: Services, clock: FrozenClock
) -> None:
    # Given a request rejected on 1 March 2026, one closed a year later, and one still open
    officer = AuditActor(key_id="k-officer", role="privacy_officer", label="officer")

    async def filed(who: UserIdentity, kind: RightsRequestType) -> RightsRequest:
        return await services.rights.file(
            NewRequest(kind, user_id=who.id, email=who.email, message="About my data"),
            officer,
            VerificationMethod.OTHER_MEANS,
            "Called back on the number in the CRM",
        )

    b = UserIdentity(id="subject-b-0815", username="bjorn", email="bjorn@example.net")
    old = await filed(A, RightsRequestType.ACCESS)
    await services.rights.transition(str(old.id), RightsRequestStatus.REJECTED, "Dup.", officer)
    still_open = await filed(b, RightsRequestType.ERASURE)
    clock.set(datetime(2027, 3, 1, 10, tzinfo=UTC))
    later = await filed(b, RightsRequestType.ACCESS)
    await services.rights.transition(str(later.id), RightsRequestStatus.CANCELED, "Gone.", officer)

    # When retention runs the day before the first one's third anniversary, nothing goes
    clock.set(datetime(2029, 3, 1, 9, 59, tzinfo=UTC))
    assert (await services.retention.run(False, SYSTEM)).rights_requests_anonymised == 0

    # On the day, a dry run counts it, and the run anonymises only that one
    clock.set(datetime(2029, 3, 1, 10, tzinfo=UTC))
    assert (await services.retention.run(True, SYSTEM)).rights_requests_anonymised == 1
    assert (await RightsRequest.get(old.id)).subject.email == A.email  # type: ignore[union-attr]
    assert (await services.retention.run(False, SYSTEM)).rights_requests_anonymised == 1

    anonymised = await RightsRequest.get(old.id)
    assert anonymised is not None
    assert (anonymised.subject.user_id, anonymised.subject.email) == (None, None)
    assert (anonymised.message, anonymised.verification_note) == (None, None)
    # the record of what was done stays, found by keyed hashes only
    assert anonymised.status is RightsRequestStatus.REJECTED
    assert anonymised.subject_hmacs == services.suppressions.hmacs(A.id, A.email)
    for kept in (still_open, later):
        stored = await RightsRequest.get(kept.id)
        assert stored is not None and stored.subject.email == b.email
    # and a second run changes nothing
    assert (await services.retention.run(False, SYSTEM)).rights_requests_anonymised == 0
