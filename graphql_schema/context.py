from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.dataloader import DataLoader

from hub.models.survey import Survey
from hub.services import Services
from hub.services.keys import Principal


@dataclass
class Loaders:
    """Per-request DataLoaders: one `$in` query per relation and request."""

    survey_by_key: DataLoader[str, Survey | None]


@dataclass
class Context:
    request: Request | WebSocket
    response: Response | WebSocket | None
    services: Services
    principal: Principal | None
    connection_params: dict[str, Any] | None = None  # a websocket's connection_init payload
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        self.loaders = Loaders(survey_by_key=DataLoader(load_fn=self.services.surveys.by_keys))

    @property
    def survey_scope(self) -> frozenset[str] | None:
        """The surveys a widget key is limited to; None when not limited."""
        return self.principal.survey_scope if self.principal else None
