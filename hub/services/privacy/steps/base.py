"""The shape every execution step shares: one handler per request type, like the
steps of a pipeline. `PrivacyService.execute` does what all types share (the status
transition, the no-match check, completion and the messages to the person); a
handler does what its type means, then writes its own audit entry."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar

from hub.models.privacy import AuditActor, RightsRequest, RightsRequestType
from hub.services.followups.followups import FollowUpService
from hub.services.privacy.audit import AuditService
from hub.services.privacy.erasure_ledger import ErasureLedger
from hub.services.privacy.exports import PrivacyExports
from hub.services.privacy.subject_hooks import Counts, SubjectHooks
from hub.services.privacy.subjects import Identity
from hub.services.privacy.suppression import SuppressionService

Outcome = dict[str, Counts]


@dataclass
class StepServices:
    """What the steps work with."""

    audit: AuditService
    suppressions: SuppressionService
    follow_ups: FollowUpService
    exports: PrivacyExports
    hooks: SubjectHooks
    ledger: ErasureLedger | None = None

    def hmacs(self, identity: Identity) -> list[str]:
        """The keyed hashes of the identity's user ids and addresses."""
        found = [self.suppressions.hmacs(user_id=user_id)[0] for user_id in identity.user_ids]
        found += [self.suppressions.hmacs(email=email)[0] for email in identity.emails]
        return sorted(set(found))


@dataclass
class StepResult:
    """What a step did: `outcome` is stored on the request, `extras` are further
    fields set on it when it completes."""

    outcome: Outcome
    extras: dict[str, Any] = field(default_factory=dict)


class RequestHandler(ABC):
    """Carries out one type of rights request."""

    type: ClassVar[RightsRequestType]

    def __init__(self, services: StepServices) -> None:
        self.services = services

    @abstractmethod
    async def run(self, request: RightsRequest, identity: Identity) -> StepResult:
        """Do what the request asks over the identities it reaches."""

    async def completed(
        self, request: RightsRequest, actor: AuditActor, hashes: list[str], result: StepResult
    ) -> None:
        """The request is COMPLETED: write the step's audit entry."""
        await self.services.audit.record(
            actor,
            f"rights_request.executed.{self.type.value.lower()}",
            [str(request.id)],
            hashes,
            {"outcome": result.outcome},
        )
