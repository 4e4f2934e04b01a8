"""Rights requests and the audit log, for privacy officers (and admins)."""

from datetime import date, datetime
from typing import Annotated

import strawberry

from graphql_schema.context import Context
from graphql_schema.errors import (
    ConflictError,
    NotFoundError,
    ValidationError,
    query_error,
    user_error,
)
from graphql_schema.privacy.permissions import IsPrivacyOfficer
from graphql_schema.privacy.types import (
    AuditEntry,
    AuditVerification,
    CorrectionsInput,
    RightsRequest,
    RightsRequestStatus,
    RightsRequestType,
)
from hub.errors import DomainError
from hub.models import privacy as model
from hub.services.audit import actor_of
from hub.services.rights import NewRequest

RightsRequestResult = Annotated[
    RightsRequest | ValidationError | NotFoundError | ConflictError,
    strawberry.union("RightsRequestResult"),
]


def _actor(info: strawberry.Info[Context]) -> model.AuditActor:
    return actor_of(info.context.principal)


@strawberry.input
class FileRightsRequestInput:
    type: RightsRequestType  # type: ignore[valid-type]
    email: str | None = None
    user_id: str | None = None
    message: str | None = None
    verification_note: str = strawberry.field(
        description="How the person's identity was verified (by other means than the link)."
    )
    corrections: CorrectionsInput | None = None


@strawberry.type
class PrivacyQuery:
    @strawberry.field(
        permission_classes=[IsPrivacyOfficer],
        description="Rights requests, soonest due first. `dueBefore` finds those due "
        "soon; `overdue: true` the open ones past their due date.",
    )
    async def rights_requests(
        self,
        info: strawberry.Info[Context],
        status: RightsRequestStatus | None = None,  # type: ignore[valid-type]
        type: RightsRequestType | None = None,  # type: ignore[valid-type]
        due_before: date | None = None,
        overdue: bool | None = None,
        first: int = 100,
    ) -> list[RightsRequest]:
        found = await info.context.services.rights.list_requests(
            status, type, due_before, overdue, first
        )
        return [RightsRequest.from_document(item) for item in found]

    @strawberry.field(permission_classes=[IsPrivacyOfficer])
    async def rights_request(
        self, info: strawberry.Info[Context], id: strawberry.ID
    ) -> RightsRequest:
        try:
            found = await info.context.services.rights.get(str(id))
        except DomainError as error:
            raise query_error(error) from None
        return RightsRequest.from_document(found)

    @strawberry.field(
        permission_classes=[IsPrivacyOfficer],
        description="Privacy operations, newest first: ids and keyed hashes, never identity.",
    )
    async def audit_log(
        self,
        info: strawberry.Info[Context],
        action: str | None = None,
        target_id: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        first: int = 100,
    ) -> list[AuditEntry]:
        found = await info.context.services.audit.entries(action, target_id, since, until, first)
        return [AuditEntry.from_document(entry) for entry in found]

    @strawberry.field(
        permission_classes=[IsPrivacyOfficer],
        description="Check the audit log's hash chain; reports the first broken link.",
    )
    async def verify_audit_log(self, info: strawberry.Info[Context]) -> AuditVerification:
        return AuditVerification.from_result(await info.context.services.audit.verify())


@strawberry.type
class PrivacyMutation:
    @strawberry.mutation(
        permission_classes=[IsPrivacyOfficer],
        description="File a request on the person's behalf, their identity verified by "
        "other means (say how in `verificationNote`). It starts VERIFIED, due one month "
        "after today.",
    )
    async def file_rights_request(
        self, info: strawberry.Info[Context], input: FileRightsRequestInput
    ) -> RightsRequestResult:
        try:
            request = await info.context.services.rights.file(
                NewRequest(
                    type=input.type,
                    user_id=input.user_id,
                    email=input.email,
                    message=input.message,
                    corrections=input.corrections.to_model() if input.corrections else None,
                ),
                _actor(info),
                model.VerificationMethod.OTHER_MEANS,
                input.verification_note,
            )
        except DomainError as error:
            return user_error(error)
        return RightsRequest.from_document(request)

    @strawberry.mutation(
        permission_classes=[IsPrivacyOfficer],
        description="Move a request on: VERIFIED, IN_PROGRESS, or REJECTED / CANCELED "
        "with a reason. COMPLETED comes from executing it.",
    )
    async def set_rights_request_status(
        self,
        info: strawberry.Info[Context],
        id: strawberry.ID,
        status: RightsRequestStatus,  # type: ignore[valid-type]
        reason: str | None = None,
    ) -> RightsRequestResult:
        try:
            request = await info.context.services.rights.transition(
                str(id), status, reason, _actor(info)
            )
        except DomainError as error:
            return user_error(error)
        return RightsRequest.from_document(request)

    @strawberry.mutation(
        permission_classes=[IsPrivacyOfficer],
        description="Extend the due date once, on or before it, by one or two months.",
    )
    async def extend_rights_request(
        self,
        info: strawberry.Info[Context],
        id: strawberry.ID,
        reason: str,
        months: int = 2,
    ) -> RightsRequestResult:
        try:
            request = await info.context.services.rights.extend(
                str(id), reason, months, _actor(info)
            )
        except DomainError as error:
            return user_error(error)
        return RightsRequest.from_document(request)
