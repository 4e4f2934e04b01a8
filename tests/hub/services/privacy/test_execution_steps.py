"""Executing a rights request: one handler per type, each writing its own audit
entry through the service; export links, downloads and survey retention are audited
by the services too, not by the GraphQL resolvers or web pages calling them."""

from __future__ import annotations

import pytest

from hub.errors import Conflict, ErrorCode, ValidationFailed
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


async def test_the_export_link_and_its_download_are_audited_by_the_service(
    services: Services,
) -> None:
    await _answer(services)
    request_id = await _file(services, RightsRequestType.PORTABILITY)
    with pytest.raises(Conflict):  # not executed yet: no link, no entry
        await services.privacy.create_export_link(request_id, "csv", OFFICER)
    assert await services.audit.entries(action="rights_request.export_link") == []
    await services.privacy.execute(request_id, OFFICER)

    url, _ = await services.privacy.create_export_link(request_id, "csv", OFFICER)
    linked = await services.audit.entries(action="rights_request.export_link")
    assert [(entry.target_ids, entry.details) for entry in linked] == [
        ([request_id], {"format": "csv"})
    ]
    assert linked[0].actor.key_id == OFFICER.key_id

    token = url.rsplit("/", 1)[1]
    delivery = await services.privacy.deliver_export(token)
    assert delivery.claim.request_id == request_id
    downloaded = await services.audit.entries(action="rights_request.export_downloaded")
    assert [entry.details for entry in downloaded] == [delivery.audit_details()]
    assert downloaded[0].details["link_requested_by"] == OFFICER.key_id

    with pytest.raises(Conflict) as again:  # single use: the second download audits nothing
        await services.privacy.deliver_export(token)
    assert again.value.code is ErrorCode.EXPORT_GONE
    assert len(await services.audit.entries(action="rights_request.export_downloaded")) == 1


async def test_setting_a_survey_retention_is_audited_by_the_service(services: Services) -> None:
    await make_survey(services)

    await services.retention.set_survey_retention("nps-main", 30, OFFICER)
    with pytest.raises(ValidationFailed):
        await services.retention.set_survey_retention("nps-main", 0, OFFICER)

    entries = await services.audit.entries(action="retention.survey_set")
    assert [(entry.target_ids, entry.details) for entry in entries] == [
        (["nps-main"], {"days": 30})
    ]
    assert entries[0].actor.key_id == OFFICER.key_id
