"""Executing rights requests as a pipeline of steps: one handler per request type
(see `base.RequestHandler`), each writing its own audit entry."""

from __future__ import annotations

from hub.models.privacy import RightsRequestType
from hub.services.privacy.steps.base import RequestHandler, StepResult, StepServices
from hub.services.privacy.steps.erasure import ErasureHandler, ObjectionHandler
from hub.services.privacy.steps.exports import AccessHandler, PortabilityHandler
from hub.services.privacy.steps.rectification import RectificationHandler
from hub.services.privacy.steps.restriction import RestrictionHandler

HANDLERS: tuple[type[RequestHandler], ...] = (
    AccessHandler,
    PortabilityHandler,
    ErasureHandler,
    ObjectionHandler,
    RectificationHandler,
    RestrictionHandler,
)


def handlers(services: StepServices) -> dict[RightsRequestType, RequestHandler]:
    """One handler for each type of request."""
    return {handler.type: handler(services) for handler in HANDLERS}


__all__ = ["HANDLERS", "RequestHandler", "StepResult", "StepServices", "handlers"]
