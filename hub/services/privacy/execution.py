"""Executing rights requests over every collection the registry lists.

`execute` does what every type of request shares: the status transition, the check
that a record carries the request's identities, completion and the messages to the
person. What each type means is one handler per type, like the steps of a pipeline
(`hub.services.privacy.steps`), each writing its own audit entry. Erasure and
objection remove the person everywhere and keep only keyed hashes of their identity
in the suppression list; running either twice changes nothing the second time.

Other features register a `SubjectHook` to be told about erasure and restriction
(the analytics rollups do)."""

from __future__ import annotations

import logging
from datetime import datetime

from pymongo.asynchronous.client_session import AsyncClientSession

from hub.clock import Clock
from hub.errors import Conflict, ErrorCode
from hub.models.privacy import (
    AuditActor,
    RightsRequest,
    RightsRequestStatus,
    RightsRequestType,
    StatusChange,
)
from hub.models.suppression import SuppressionReason
from hub.services.followups.followups import FollowUpService
from hub.services.followups.stores import follow_ups as follow_up_store
from hub.services.platform.outbox import OutboxService
from hub.services.privacy.audit import SYSTEM, AuditService
from hub.services.privacy.erasure_ledger import ErasureLedger
from hub.services.privacy.exports import Delivery, PrivacyExports
from hub.services.privacy.rights import RightsRequestService
from hub.services.privacy.rights_identity import IdentityMatch, RequestIdentities
from hub.services.privacy.steps import StepServices, handlers
from hub.services.privacy.steps.erasure import erase
from hub.services.privacy.stores import rights_requests, suppressions
from hub.services.privacy.subject_hooks import Counts as Counts
from hub.services.privacy.subject_hooks import SubjectHook as SubjectHook
from hub.services.privacy.subject_hooks import SubjectHooks as SubjectHooks
from hub.services.privacy.subjects import (
    Identity as Identity,  # where the other features import it from
)
from hub.services.privacy.suppression import SuppressionService

log = logging.getLogger("hub.privacy")


class SuppressedSubjects:
    """The suppression list as follow-ups ask it: a person who objected, was erased or
    whose data is restricted gets no follow-up and no Slack post."""

    def __init__(self, suppressions: SuppressionService) -> None:
        self.suppressions = suppressions

    async def is_suppressed(self, user_id: str, session: AsyncClientSession) -> bool:
        return await self.suppressions.is_suppressed(user_id=user_id)


class PrivacyService:
    """Runs rights requests (see the module's docstring)."""

    def __init__(
        self,
        clock: Clock,
        rights: RightsRequestService,
        audit: AuditService,
        suppressions: SuppressionService,
        outbox: OutboxService,
        follow_ups: FollowUpService,
        exports: PrivacyExports,
        hooks: SubjectHooks | None = None,
        ledger: ErasureLedger | None = None,
    ) -> None:
        self.ledger = ledger
        self.exports = exports
        self.clock = clock
        self.rights = rights
        self.audit = audit
        self.suppressions = suppressions
        self.outbox = outbox
        self.follow_ups = follow_ups
        self.hooks = hooks or SubjectHooks()
        self.identities = RequestIdentities(clock, rights, audit, suppressions)
        self.steps = StepServices(audit, suppressions, follow_ups, exports, self.hooks, ledger)
        self.handlers = handlers(self.steps)

    # -- finding the person

    async def resolve(self, request: RightsRequest) -> Identity:
        """Whom executing the request reaches: its verified address and the identities
        an officer entered or confirmed, never a claimed or linked one on its own
        (see `hub.services.privacy.rights_identity`)."""
        return await self.identities.scope(request)

    async def identity_matches(self, request: RightsRequest) -> list[IdentityMatch]:
        """The request's identities, how each is bound, and the records carrying it."""
        return await self.identities.matches(request)

    async def confirm_identities(
        self,
        request_id: str,
        user_ids: list[str],
        emails: list[str],
        reason: str,
        actor: AuditActor,
    ) -> RightsRequest:
        """An officer confirms claimed or linked identities; see `RequestIdentities`."""
        return await self.identities.confirm(request_id, user_ids, emails, reason, actor)

    async def restricted_flags(self, user_ids: list[str]) -> list[bool]:
        """For each user id, whether their data is restricted (masked for everyone
        but privacy officers). One query for all of them."""
        digests = {user_id: self.suppressions.hmacs(user_id=user_id) for user_id in user_ids}
        wanted = [digest for found in digests.values() for digest in found]
        restricted = await suppressions.listed_for(wanted, SuppressionReason.RESTRICTION.value)
        return [bool(set(digests[user_id]) & restricted) for user_id in user_ids]

    def hmacs(self, identity: Identity) -> list[str]:
        return self.steps.hmacs(identity)

    # -- executing a request

    async def execute(
        self, request_id: str, actor: AuditActor, allow_no_match: bool = False
    ) -> RightsRequest:
        """Carry out a VERIFIED or IN_PROGRESS request over the identities it reaches
        (`resolve`) with its type's handler; it becomes COMPLETED with what was done,
        per step and collection, stored on it. When no record carries them, nothing is
        done and the officer is told (NO_MATCHING_RECORDS), unless `allow_no_match`
        acknowledges it (an erasure or objection then still suppresses the identities)."""
        request = await self.rights.get(request_id)
        if request.status not in (RightsRequestStatus.VERIFIED, RightsRequestStatus.IN_PROGRESS):
            raise Conflict(
                ErrorCode.NOT_EXECUTABLE,
                f"A {request.status.value} request cannot be executed.",
                "id",
            )
        identity = await self.resolve(request)
        if not allow_no_match and not await self.identities.matches_anything(request, identity):
            raise Conflict(
                ErrorCode.NO_MATCHING_RECORDS,
                "No record carries the request's verified or confirmed identities. Check "
                "identityMatches (confirm claimed or linked identities), or execute with "
                "allowNoMatch to go on anyway.",
                "id",
            )
        if request.status is RightsRequestStatus.VERIFIED:
            request = await self.rights.transition(
                request_id, RightsRequestStatus.IN_PROGRESS, None, actor
            )
        hashes = self.hmacs(identity) or list(request.subject_hmacs)
        handler = self.handlers[request.type]
        result = await handler.run(request, identity)
        now = self.clock.now()
        change = StatusChange(
            status=RightsRequestStatus.COMPLETED, at=now, by=actor.key_id or actor.role
        )
        raw = await rights_requests.move(
            request.id,
            RightsRequestStatus.IN_PROGRESS.value,
            {
                "status": RightsRequestStatus.COMPLETED.value,
                "outcome": result.outcome,
                "executed_at": now,
                "handled_by": actor.key_id,
                "subject_hmacs": sorted(set(request.subject_hmacs) | set(hashes)),
                **result.extras,
            },
            change,
        )
        if raw is None:
            raise Conflict(
                ErrorCode.INVALID_TRANSITION, "The request changed meanwhile; reload it.", "id"
            )
        await handler.completed(request, actor, hashes, result)
        log.info("executed rights request %s (%s)", request.id, request.type.value)
        done: RightsRequest = RightsRequest.model_validate(raw)
        return await self.rights.messages.completion(request, done)

    async def erase(self, identity: Identity, reason: SuppressionReason) -> dict[str, Counts]:
        """Remove the person everywhere (see `steps.erasure`). Idempotent."""
        return await erase(self.steps, identity, reason)

    # -- exports

    async def create_export_link(
        self, request_id: str, fmt: str, actor: AuditActor
    ) -> tuple[str, datetime]:
        """A single-use link to one format of an executed request's export, for the
        officer `actor` (see `PrivacyExports.create_link`); the audit log names it."""
        request = await self.rights.get(request_id)
        link = await self.exports.create_link(request, fmt, actor.key_id)
        await self.audit.record(
            actor,
            "rights_request.export_link",
            [str(request.id)],
            list(request.subject_hmacs),
            {"format": fmt},
        )
        return link

    async def deliver_export(self, token: str) -> Delivery:
        """Hand over what an export link stands for, once (see
        `PrivacyExports.deliver`); the audit log says who asked for the link."""
        delivery = await self.exports.deliver(token)
        await self.audit.record(
            SYSTEM,
            "rights_request.export_downloaded",
            [delivery.claim.request_id],
            delivery.subject_hmacs,
            delivery.audit_details(),
        )
        return delivery

    # -- restriction

    async def record_subject_notified(self, request_id: str, actor: AuditActor) -> RightsRequest:
        """The person was told that their restriction will be lifted."""
        request = await self._active_restriction(request_id)
        raw = await rights_requests.set_values(
            request.id, {**await self.rights.messages.notified(request), "handled_by": actor.key_id}
        )
        await self.audit.record(
            actor, "rights_request.subject_notified", [request_id], list(request.subject_hmacs)
        )
        notified: RightsRequest = RightsRequest.model_validate(raw)
        return notified

    async def lift_restriction(self, request_id: str, actor: AuditActor) -> RightsRequest:
        """End a restriction, once the person has been told."""
        request = await self._active_restriction(request_id)
        if request.subject_notified_at is None:
            raise Conflict(
                ErrorCode.SUBJECT_NOT_NOTIFIED,
                "Record that the person was told before lifting the restriction.",
                "id",
            )
        identity = await self.resolve(request)
        # Only the restriction's own entries: an objection, opt-out or erasure made
        # meanwhile is an entry of its own and stays. The request's stored hashes reach
        # the person once an erasure anonymised the request (and only then: they also
        # hold identities the request merely claimed).
        hashes = self.hmacs(identity) or sorted(request.subject_hmacs)
        removed = await suppressions.remove(hashes, SuppressionReason.RESTRICTION.value)
        unredacted = await follow_up_store.unredact_subjects(list(identity.user_ids))
        for user_id in identity.user_ids:
            await self.follow_ups.refresh_subject(user_id)
        # Comments sent during the restriction get the follow-up they were held from
        # (none while the person is still suppressed for another reason).
        opened = 0
        for user_id in identity.user_ids:
            opened += await self.follow_ups.open_missing(user_id)
        hooks = await self.hooks.lift(identity)
        raw = await rights_requests.lift_restriction(
            request.id,
            self.clock.now(),
            actor.key_id,
            {
                "suppressions": removed,
                "follow_ups": unredacted,
                "follow_ups_opened": opened,
                **hooks,
            },
        )
        if raw is None:
            raise Conflict(ErrorCode.INVALID_TRANSITION, "The restriction was lifted already.")
        await self.audit.record(
            actor, "rights_request.restriction_lifted", [request_id], self.hmacs(identity)
        )
        lifted: RightsRequest = RightsRequest.model_validate(raw)
        return lifted

    async def _active_restriction(self, request_id: str) -> RightsRequest:
        request = await self.rights.get(request_id)
        if request.type is not RightsRequestType.RESTRICTION or not request.restriction_active:
            raise Conflict(
                ErrorCode.INVALID_TRANSITION, "No restriction of this request is in force.", "id"
            )
        return request
