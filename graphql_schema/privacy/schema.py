"""Rights requests and the audit log, for privacy officers (and admins)."""

from datetime import date, datetime
from typing import Annotated

import strawberry

from graphql_schema.context import Context
from graphql_schema.errors import (
    ConflictError,
    NotFoundError,
    ValidationError,
    mutation,
    query,
)
from graphql_schema.privacy.connections import AuditEntryConnection, RightsRequestConnection
from graphql_schema.privacy.permissions import IsPrivacyOfficer
from graphql_schema.privacy.types import (
    AuditEntry,
    AuditVerification,
    CorrectionsInput,
    RightsRequest,
    RightsRequestStatus,
    RightsRequestType,
)
from hub.models import privacy as model
from hub.services.privacy.audit import actor_of
from hub.services.privacy.rights import NewRequest


@strawberry.type(description="A download link for a request's export; it expires.")
class ExportLink:
    url: str
    expires_at: datetime


@strawberry.type(description="What a retention run did (or, dry run, would do).")
class RetentionReport:
    dry_run: bool
    ran_at: datetime
    responses_anonymised: int
    follow_ups_anonymised: int
    displays_deleted: int
    logins_deleted: int
    activity_kept_days: int = strawberry.field(
        description="Displays and logins older than this many days were deleted."
    )
    displays_anonymised: int = strawberry.field(
        description="Displays of anonymised responses: identity and link to the response removed."
    )
    links_deleted: int = strawberry.field(description="Survey links of anonymised responses.")
    people_deleted: int = strawberry.field(
        description="Per-person summaries with no login, display or answer within "
        "`activityKeptDays`."
    )
    contact_states_deleted: int = strawberry.field(
        description="Per-person, per-survey contact states with no display, answer or "
        "decline within `activityKeptDays`."
    )
    outbox_cleared: int = strawberry.field(
        description="Delivered outbox messages that still held a payload or user ids."
    )
    outbox_deleted: int = strawberry.field(
        description="Outbox messages delivered or given up more than `outboxKeptDays` "
        "ago, or undelivered for 3 years."
    )
    outbox_kept_days: int = strawberry.field(
        description="Days a delivered or given-up outbox message is kept "
        "(HUB_OUTBOX_RETENTION_DAYS)."
    )
    rights_requests_anonymised: int = strawberry.field(
        description="Rights requests closed more than 3 years ago: identity, message and "
        "corrections removed (keyed hashes and the outcome stay)."
    )


@strawberry.type
class SurveyRetentionSet:
    survey_key: str
    days: int | None


SurveyRetentionResult = Annotated[
    SurveyRetentionSet | ValidationError | NotFoundError | ConflictError,
    strawberry.union("SurveyRetentionResult"),
]
RunRetentionResult = Annotated[
    RetentionReport | ConflictError, strawberry.union("RunRetentionResult")
]
ExportLinkResult = Annotated[
    ExportLink | ValidationError | NotFoundError | ConflictError,
    strawberry.union("ExportLinkResult"),
]
RightsRequestResult = Annotated[
    RightsRequest | ValidationError | NotFoundError | ConflictError,
    strawberry.union("RightsRequestResult"),
]


def _actor(info: strawberry.Info[Context]) -> model.AuditActor:
    return actor_of(info.context.principal)


@strawberry.input
class FileRightsRequestInput:
    type: RightsRequestType
    email: str | None = None
    user_id: str | None = None
    message: str | None = None
    verification_note: str = strawberry.field(
        description="How the person's identity was verified (by other means than the link)."
    )
    corrections: CorrectionsInput | None = None
    locale: str | None = strawberry.field(
        default=None,
        description="The person's language for the messages sent to them (a tag such as "
        "es or nb-NO); unsupported or absent: the default language.",
    )


@strawberry.input
class SubmitRightsRequestInput:
    type: RightsRequestType
    email: str = strawberry.field(description="Where the link that verifies it is sent.")
    user_id: str | None = None
    message: str | None = None
    locale: str | None = strawberry.field(
        default=None,
        description="The person's language for the messages sent to them (a tag such as "
        "es or nb-NO); unsupported or absent: the default language.",
    )


@strawberry.type(description="The request is filed; it waits for the e-mailed link.")
class RightsRequestSubmitted:
    message: str


SubmitRightsRequestResult = Annotated[
    RightsRequestSubmitted | ValidationError,
    strawberry.union("SubmitRightsRequestResult"),
]


@strawberry.type
class PrivacyQuery:
    @query(
        permission_classes=[IsPrivacyOfficer],
        description="Rights requests, soonest due first. `dueBefore` finds those due "
        "soon; `overdue: true` the open ones past their due date; `open: true` those "
        "RECEIVED, VERIFIED or IN_PROGRESS (false: the closed ones).",
    )
    async def rights_requests(
        self,
        info: strawberry.Info[Context],
        status: RightsRequestStatus | None = None,
        type: RightsRequestType | None = None,
        due_before: date | None = None,
        overdue: bool | None = None,
        first: int = 100,
        after: str | None = None,
        open: bool | None = None,
    ) -> RightsRequestConnection:
        services = info.context.services
        page = await services.rights.page_requests(
            services.settings.max_page_size, status, type, due_before, overdue, first, after, open
        )
        return RightsRequestConnection.from_page(page, RightsRequest.from_document)

    @query(permission_classes=[IsPrivacyOfficer])
    async def rights_request(
        self, info: strawberry.Info[Context], id: strawberry.ID
    ) -> RightsRequest:
        found = await info.context.services.rights.get(str(id))
        return RightsRequest.from_document(found)

    @query(
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
        after: str | None = None,
    ) -> AuditEntryConnection:
        services = info.context.services
        page = await services.audit.page_entries(
            services.settings.max_page_size, action, target_id, since, until, first, after
        )
        return AuditEntryConnection.from_page(page, AuditEntry.from_document)

    @strawberry.field(
        permission_classes=[IsPrivacyOfficer],
        description="Check the audit log's hash chain; reports the first broken link.",
    )
    async def verify_audit_log(self, info: strawberry.Info[Context]) -> AuditVerification:
        return AuditVerification.from_result(await info.context.services.audit.verify())


@strawberry.type
class PrivacyMutation:
    @mutation(
        description="Public: a person files a rights request about themselves. An e-mail "
        "with a link goes to `email`; the request is VERIFIED only when the link is "
        "opened within HUB_RIGHTS_VERIFICATION_HOURS."
    )
    async def submit_rights_request(
        self, info: strawberry.Info[Context], input: SubmitRightsRequestInput
    ) -> SubmitRightsRequestResult:
        await info.context.services.rights_verification.submit(
            NewRequest(
                type=input.type,
                email=input.email,
                user_id=input.user_id,
                message=input.message,
                locale=input.locale,
            )
        )
        return RightsRequestSubmitted(
            message="Check your e-mail and open the link in it to confirm the request."
        )

    @mutation(
        permission_classes=[IsPrivacyOfficer],
        description="File a request on the person's behalf, their identity verified by "
        "other means (say how in `verificationNote`). It starts VERIFIED, due one month "
        "after today.",
    )
    async def file_rights_request(
        self, info: strawberry.Info[Context], input: FileRightsRequestInput
    ) -> RightsRequestResult:
        request = await info.context.services.rights.file(
            NewRequest(
                type=input.type,
                user_id=input.user_id,
                email=input.email,
                message=input.message,
                corrections=input.corrections.to_model() if input.corrections else None,
                locale=input.locale,
            ),
            _actor(info),
            model.VerificationMethod.OTHER_MEANS,
            input.verification_note,
        )
        return RightsRequest.from_document(request)

    @mutation(
        permission_classes=[IsPrivacyOfficer],
        description="Move a request on: VERIFIED, IN_PROGRESS, or REJECTED / CANCELED "
        "with a reason. COMPLETED comes from executing it.",
    )
    async def set_rights_request_status(
        self,
        info: strawberry.Info[Context],
        id: strawberry.ID,
        status: RightsRequestStatus,
        reason: str | None = None,
    ) -> RightsRequestResult:
        request = await info.context.services.rights.transition(
            str(id), status, reason, _actor(info)
        )
        return RightsRequest.from_document(request)

    @mutation(
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
        request = await info.context.services.rights.extend(str(id), reason, months, _actor(info))
        return RightsRequest.from_document(request)

    @mutation(
        permission_classes=[IsPrivacyOfficer],
        description="Carry out a VERIFIED or IN_PROGRESS request by its type, over its "
        "verified and confirmed identities only (see identityMatches); it becomes "
        "COMPLETED and `outcome` says what was done in each collection. ERASURE and "
        "OBJECTION: the person removed everywhere, their Slack messages redacted, only "
        "keyed hashes kept in the suppression list.",
    )
    async def execute_rights_request(
        self,
        info: strawberry.Info[Context],
        id: strawberry.ID,
        allow_no_match: Annotated[
            bool,
            strawberry.argument(
                description="Go on although no record carries the request's verified or "
                "confirmed identities (otherwise a NO_MATCHING_RECORDS error): an erasure "
                "or objection then still suppresses them."
            ),
        ] = False,
    ) -> RightsRequestResult:
        request = await info.context.services.privacy.execute(str(id), _actor(info), allow_no_match)
        return RightsRequest.from_document(request)

    @mutation(
        permission_classes=[IsPrivacyOfficer],
        description="Confirm identities of an open request beyond its verified address: "
        "the user id it claims, or user ids and addresses found on the records of its "
        "verified or confirmed identities (see identityMatches). Only then does executing "
        "it reach their records. `reason` says why the officer is satisfied they are the "
        "person's. Any other identity is refused (IDENTITY_NOT_LINKED): file a new request.",
    )
    async def confirm_request_identities(
        self,
        info: strawberry.Info[Context],
        id: strawberry.ID,
        user_ids: list[str],
        reason: str,
        emails: list[str] | None = None,
    ) -> RightsRequestResult:
        request = await info.context.services.privacy.confirm_identities(
            str(id), user_ids, emails or [], reason, _actor(info)
        )
        return RightsRequest.from_document(request)

    @mutation(
        permission_classes=[IsPrivacyOfficer],
        description="A single-use signed link to download an executed ACCESS or "
        "PORTABILITY request's export (`format`: json, or csv for portability). It works "
        "once, for HUB_EXPORT_LINK_HOURS and no longer than the export is kept "
        "(HUB_EXPORT_KEEP_HOURS); a format already downloaded, or an export expired or "
        "withdrawn, is a ConflictError EXPORT_GONE.",
    )
    async def create_export_link(
        self, info: strawberry.Info[Context], id: strawberry.ID, format: str = "json"
    ) -> ExportLinkResult:
        url, expires = await info.context.services.privacy.create_export_link(
            str(id), format.lower(), _actor(info)
        )
        return ExportLink(url=url, expires_at=expires)

    @mutation(
        permission_classes=[IsPrivacyOfficer],
        description="Record that the person was told their restriction will be lifted. "
        "After notifyRestrictionLift, `subjectNotifiedAt` is when that e-mail was delivered "
        "(or queued) and `subjectNoticeOutboxId` names it; otherwise the person was told "
        "by other means, now.",
    )
    async def record_subject_notified(
        self, info: strawberry.Info[Context], id: strawberry.ID
    ) -> RightsRequestResult:
        request = await info.context.services.privacy.record_subject_notified(str(id), _actor(info))
        return RightsRequest.from_document(request)

    @mutation(
        permission_classes=[IsPrivacyOfficer],
        description="E-mail the person, in their language, that their restriction will be "
        "lifted; `messages` shows it. Sent once. NO_EMAIL_ADDRESS when the request has no "
        "address: tell them by other means. Then recordSubjectNotified, then "
        "liftRestriction.",
    )
    async def notify_restriction_lift(
        self, info: strawberry.Info[Context], id: strawberry.ID
    ) -> RightsRequestResult:
        request = await info.context.services.rights.messages.notify_restriction_lift(
            str(id), _actor(info)
        )
        return RightsRequest.from_document(request)

    @mutation(
        permission_classes=[IsPrivacyOfficer],
        description="Lift a restriction; only after recordSubjectNotified.",
    )
    async def lift_restriction(
        self, info: strawberry.Info[Context], id: strawberry.ID
    ) -> RightsRequestResult:
        request = await info.context.services.privacy.lift_restriction(str(id), _actor(info))
        return RightsRequest.from_document(request)

    @mutation(
        permission_classes=[IsPrivacyOfficer],
        description="Anonymise responses past their retention (with their displays, "
        "links and follow-ups); delete displays, logins, people and contact states the "
        "contact rules no longer need, and old outbox messages. `dryRun` counts and "
        "changes nothing. One run changes data at a time: while one runs, another is a "
        "ConflictError ALREADY_RUNNING (a dry run is never held up).",
    )
    async def run_retention(
        self, info: strawberry.Info[Context], dry_run: bool
    ) -> RunRetentionResult:
        report = await info.context.services.retention.run(dry_run, _actor(info))
        return RetentionReport(
            dry_run=report.dry_run,
            ran_at=report.ran_at,
            responses_anonymised=report.responses_anonymised,
            follow_ups_anonymised=report.follow_ups_anonymised,
            displays_deleted=report.displays_deleted,
            logins_deleted=report.logins_deleted,
            activity_kept_days=report.activity_kept_days,
            displays_anonymised=report.displays_anonymised,
            links_deleted=report.links_deleted,
            people_deleted=report.people_deleted,
            contact_states_deleted=report.contact_states_deleted,
            outbox_cleared=report.outbox_cleared,
            outbox_deleted=report.outbox_deleted,
            outbox_kept_days=report.outbox_kept_days,
            rights_requests_anonymised=report.rights_requests_anonymised,
        )

    @mutation(
        permission_classes=[IsPrivacyOfficer],
        description="Keep a survey's responses identified for at most `days` (never "
        "longer than HUB_RETENTION_DAYS / 3 years); null returns to the default.",
    )
    async def set_survey_retention(
        self, info: strawberry.Info[Context], survey_key: str, days: int | None = None
    ) -> SurveyRetentionResult:
        kept = await info.context.services.retention.set_survey_retention(
            survey_key, days, _actor(info)
        )
        return SurveyRetentionSet(survey_key=survey_key, days=kept)
