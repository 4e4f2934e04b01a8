"""Open rights requests as the metrics count them: by status, and overdue to the day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hub.clock import FrozenClock
from hub.models.privacy import (
    AuditActor,
    RightsRequestStatus,
    RightsRequestType,
    VerificationMethod,
)
from hub.services import Services
from hub.services.privacy.rights import NewRequest

OFFICER = AuditActor(key_id="k1", role="privacy_officer", label="officer")
Status = RightsRequestStatus


async def _file(services: Services) -> str:
    request = await services.rights.file(
        NewRequest(RightsRequestType.ACCESS, user_id="user-a", email="a@example.com"),
        OFFICER,
        VerificationMethod.OTHER_MEANS,
        "Checked the passport at the desk.",
    )
    return str(request.id)


async def test_open_requests_by_status_and_overdue_from_the_day_after_the_due_date(
    services: Services, clock: FrozenClock
) -> None:
    clock.set(datetime(2028, 1, 31, 9, 0, tzinfo=UTC))  # due 29 February 2028
    waiting, working, closed = await _file(services), await _file(services), await _file(services)
    await services.rights.transition(working, Status.IN_PROGRESS, None, OFFICER)
    await services.rights.transition(closed, Status.REJECTED, "Not our data.", OFFICER)

    clock.set(datetime(2028, 2, 29, 23, 59, tzinfo=UTC))  # the due date itself
    on_the_day = await services.rights.open_counts()
    clock.advance(timedelta(minutes=2))  # 1 March
    after = await services.rights.open_counts()

    assert on_the_day.by_status[(await services.rights.get(waiting)).status] == 1
    assert on_the_day.by_status[Status.IN_PROGRESS] == 1
    assert sum(on_the_day.by_status.values()) == 2  # the rejected one is not open
    assert on_the_day.overdue == 0
    assert after.overdue == 2
