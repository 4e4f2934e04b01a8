"""Executing a rights request: one handler per type, each writing its own audit
entry through the service."""

from __future__ import annotations

import pytest

from hub.errors import Conflict, ErrorCode
from hub.models.common import Channel, UserIdentity
from hub.models.privacy import (
    AuditActor,
    Corrections,
    RightsRequestStatus,
    RightsRequestType,
    VerificationMethod,
)
from hub.services import Services
from hub.services.privacy.rights import NewRequest
from hub.services.privacy.steps import HANDLERS
from tests.factories import context, make_survey

OFFICER = AuditActor(key_id="k-officer", role="privacy_officer", label="officer")
PERSON = UserIdentity(id="steps-person-1", username="stepsperson", email="steps@example.org")


async def _file(services: Services, kind: RightsRequestType) -> str:
    corrections = (
        Corrections(company="Fixed Ltd") if kind is RightsRequestType.RECTIFICATION else None
    )
    request = await services.rights.file(
        NewRequest(kind, user_id=PERSON.id, email=PERSON.email, corrections=corrections),
        OFFICER,
        VerificationMethod.OTHER_MEANS,
        "Checked at the desk.",
    )
    return str(request.id)


async def _answer(services: Services) -> None:
    survey = await make_survey(services)
    display = await services.responses.record_display(
        survey.key, PERSON, Channel.IN_APP_WEB, context(), "en"
    )
    await services.responses.submit_score(str(display.id), 9)


def test_every_request_type_has_exactly_one_handler(services: Services) -> None:
    assert sorted(handler.type.value for handler in HANDLERS) == sorted(
        kind.value for kind in RightsRequestType
    )
    assert {kind: handler.type for kind, handler in services.privacy.handlers.items()} == {
        kind: kind for kind in RightsRequestType
    }


@pytest.mark.parametrize("kind", list(RightsRequestType))
async def test_each_type_writes_its_own_audit_entry_once(
    services: Services, kind: RightsRequestType
) -> None:
    await _answer(services)
    request_id = await _file(services, kind)

    done = await services.privacy.execute(request_id, OFFICER)

    assert done.status is RightsRequestStatus.COMPLETED
    action = f"rights_request.executed.{kind.value.lower()}"
    entries = await services.audit.entries(action=action)
    assert [entry.target_ids for entry in entries] == [[request_id]]
    assert entries[0].actor.key_id == OFFICER.key_id
    assert entries[0].subject_hmacs == sorted(done.subject_hmacs)
    assert entries[0].details["outcome"] == done.outcome
    assert "steps@example.org" not in str(entries[0].details)
    # A second attempt is refused and audits nothing more.
    with pytest.raises(Conflict):
        await services.privacy.execute(request_id, OFFICER)
    assert len(await services.audit.entries(action=action)) == 1


async def test_a_refused_execution_writes_no_step_entry(services: Services) -> None:
    request_id = await _file(services, RightsRequestType.ERASURE)  # no record carries them

    with pytest.raises(Conflict) as refused:
        await services.privacy.execute(request_id, OFFICER)

    assert refused.value.code is ErrorCode.NO_MATCHING_RECORDS
    assert await services.audit.entries(action="rights_request.executed.erasure") == []
