"""Rights requests: due dates to the day, the status workflow, one extension."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from hub.clock import FrozenClock
from hub.errors import Conflict, ErrorCode, ValidationFailed
from hub.models.privacy import (
    AuditActor,
    RightsRequestStatus,
    RightsRequestType,
    VerificationMethod,
)
from hub.services import Services
from hub.services.privacy.rights import NewRequest, add_months, due_on

OFFICER = AuditActor(key_id="k1", role="privacy_officer", label="officer")
Status = RightsRequestStatus


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (date(2026, 1, 15), date(2026, 2, 15)),
        (date(2026, 1, 31), date(2026, 2, 28)),
        (date(2028, 1, 31), date(2028, 2, 29)),
        (date(2026, 3, 31), date(2026, 4, 30)),
        (date(2026, 12, 31), date(2027, 1, 31)),
        (date(2028, 2, 29), date(2028, 3, 29)),
    ],
)
def test_due_one_month_after_receipt(received: date, due: date) -> None:
    assert due_on(received) == due


def test_two_months_later_clamps_too() -> None:
    assert add_months(date(2026, 12, 31), 2) == date(2027, 2, 28)


async def _file(services: Services, type: RightsRequestType = RightsRequestType.ACCESS) -> str:
    request = await services.rights.file(
        NewRequest(type, user_id="user-a", email="a@example.com"),
        OFFICER,
        VerificationMethod.OTHER_MEANS,
        "Checked the passport at the desk.",
    )
    return str(request.id)


async def test_filed_on_31_january_is_due_28_february(
    services: Services, clock: FrozenClock
) -> None:
    clock.set(datetime(2027, 1, 31, 23, 0, tzinfo=UTC))

    request = await services.rights.get(await _file(services))

    assert request.due_on == date(2027, 2, 28)
    assert request.status is Status.VERIFIED
    assert [change.status for change in request.history] == [Status.RECEIVED, Status.VERIFIED]


async def test_an_officer_must_say_how_identity_was_verified(services: Services) -> None:
    with pytest.raises(ValidationFailed) as failure:
        await services.rights.file(
            NewRequest(RightsRequestType.ACCESS, email="a@example.com"),
            OFFICER,
            VerificationMethod.OTHER_MEANS,
            "  ",
        )
    assert failure.value.field == "verificationNote"
    assert await services.rights.list_requests() == []


async def test_the_workflow_and_its_invalid_steps(services: Services) -> None:
    request_id = await _file(services)

    with pytest.raises(Conflict) as skipped:
        await services.rights.transition(request_id, Status.COMPLETED, None, OFFICER)
    assert skipped.value.code is ErrorCode.INVALID_TRANSITION
    with pytest.raises(ValidationFailed):
        await services.rights.transition(request_id, Status.REJECTED, " ", OFFICER)

    moved = await services.rights.transition(request_id, Status.IN_PROGRESS, None, OFFICER)
    assert moved.status is Status.IN_PROGRESS
    canceled = await services.rights.transition(
        request_id, Status.CANCELED, "The person withdrew it.", OFFICER
    )
    assert canceled.status is Status.CANCELED
    assert canceled.history[-1].reason == "The person withdrew it."
    with pytest.raises(Conflict):
        await services.rights.transition(request_id, Status.VERIFIED, None, OFFICER)


async def test_one_extension_on_or_before_the_due_date(
    services: Services, clock: FrozenClock
) -> None:
    clock.set(datetime(2026, 1, 31, 9, 0, tzinfo=UTC))
    first, second = await _file(services), await _file(services)

    clock.set(datetime(2026, 2, 28, 23, 59, tzinfo=UTC))  # the due date itself
    extended = await services.rights.extend(first, "Many systems to search.", 2, OFFICER)
    assert extended.due_on == date(2026, 4, 28)
    with pytest.raises(Conflict) as again:
        await services.rights.extend(first, "More.", 1, OFFICER)
    assert again.value.code is ErrorCode.ALREADY_EXTENDED
    with pytest.raises(ValidationFailed):
        await services.rights.extend(second, "Too long.", 3, OFFICER)

    clock.advance(timedelta(minutes=2))  # 1 March: past the due date
    with pytest.raises(Conflict) as late:
        await services.rights.extend(second, "Late.", 1, OFFICER)
    assert late.value.code is ErrorCode.DUE_DATE_PASSED
    assert (await services.rights.get(second)).due_on == date(2026, 2, 28)


async def test_due_soon_and_overdue(services: Services, clock: FrozenClock) -> None:
    clock.set(datetime(2026, 1, 10, tzinfo=UTC))
    early = await _file(services)
    clock.set(datetime(2026, 1, 20, tzinfo=UTC))
    later = await _file(services, RightsRequestType.ERASURE)
    clock.set(datetime(2026, 2, 15, tzinfo=UTC))

    overdue = await services.rights.list_requests(overdue=True)
    due_soon = await services.rights.list_requests(due_before=date(2026, 2, 21))
    erasures = await services.rights.list_requests(type=RightsRequestType.ERASURE)

    assert [str(item.id) for item in overdue] == [early]
    assert services.rights.is_overdue(overdue[0])
    assert [str(item.id) for item in due_soon] == [early, later]
    assert [str(item.id) for item in erasures] == [later]
    await services.rights.transition(early, Status.REJECTED, "Not our data.", OFFICER)
    assert await services.rights.list_requests(overdue=True) == []


async def test_every_step_is_audited_without_identity(services: Services) -> None:
    request_id = await _file(services)
    await services.rights.transition(request_id, Status.IN_PROGRESS, None, OFFICER)

    entries = await services.audit.entries()

    assert [entry.action for entry in entries] == [
        "rights_request.status",
        "rights_request.filed",
    ]
    assert all(request_id in entry.target_ids for entry in entries)
    text = str([entry.model_dump() for entry in entries])
    assert "a@example.com" not in text and "user-a" not in text
    assert entries[0].subject_hmacs == services.suppressions.hmacs("user-a", "a@example.com")
