"""ACCESS and PORTABILITY: the person's data handed over as an export, stored for
its delivery only (see `hub.services.privacy.exports`), never on the request."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hub.models.privacy import AuditActor, RightsRequest, RightsRequestType
from hub.services.privacy.steps.base import RequestHandler, StepResult
from hub.services.privacy.subjects import Identity


@dataclass
class ExportResult(StepResult):
    export: dict[str, Any] = field(default_factory=dict)


class _ExportHandler(RequestHandler):
    async def completed(
        self, request: RightsRequest, actor: AuditActor, hashes: list[str], result: StepResult
    ) -> None:
        assert isinstance(result, ExportResult)
        await self.services.exports.store(str(request.id), self.type, result.export, hashes)
        await super().completed(request, actor, hashes, result)


class AccessHandler(_ExportHandler):
    """Everything held about the person, with the processing information."""

    type = RightsRequestType.ACCESS

    async def run(self, request: RightsRequest, identity: Identity) -> StepResult:
        export = await self.services.exports.access(list(identity.user_ids), list(identity.emails))
        counts = {name: len(docs) for name, docs in export["data"].items()}
        return ExportResult(outcome={"exported": counts}, export=export)


class PortabilityHandler(_ExportHandler):
    """What the person provided: their scores and comments."""

    type = RightsRequestType.PORTABILITY

    async def run(self, request: RightsRequest, identity: Identity) -> StepResult:
        export = await self.services.exports.portability(
            list(identity.user_ids), list(identity.emails)
        )
        return ExportResult(
            outcome={"exported": {"responses": len(export["responses"])}}, export=export
        )
