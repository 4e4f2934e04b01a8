from dataclasses import dataclass, field
from typing import Any

from beanie import PydanticObjectId
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.dataloader import DataLoader

from hub.models.followup import FollowUpNote
from hub.models.outbox import OutboxMessage
from hub.models.response import Response as ResponseDocument
from hub.models.survey import Survey
from hub.services import Services
from hub.services.access.keys import Principal
from hub.services.privacy import free_text


@dataclass
class Loaders:
    """Per-request DataLoaders: one `$in` query per relation and request."""

    survey_by_key: DataLoader[str, Survey | None]
    response_by_id: DataLoader[PydanticObjectId, ResponseDocument | None]
    restricted: DataLoader[str, bool]  # by user id: masked for all but privacy officers
    # Free text as masked roles read it. Not cached: a subscription's context lives on
    # while new people become known.
    masked_text: DataLoader[str, str]
    message_delivery: DataLoader[str, OutboxMessage | None]  # by outbox id
    notes_by_follow_up: DataLoader[PydanticObjectId, list[FollowUpNote]]
    follow_up_of_response: DataLoader[PydanticObjectId, str | None]  # the follow-up's id


@dataclass
class Context:
    request: Request | WebSocket
    response: Response | WebSocket | None
    services: Services
    token: str | None
    connection_params: dict[str, Any] | None = None  # a websocket's connection_init payload
    # Someone signed in to the console: the console runs its operations as them.
    signed_in: Principal | None = None
    loaders: Loaders = field(init=False)
    _principal: Principal | None = field(init=False, default=None)
    _authenticated: bool = field(init=False, default=False)
    revealed: dict[str, set[str]] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.loaders = Loaders(
            survey_by_key=DataLoader(load_fn=self.services.surveys.by_keys),
            response_by_id=DataLoader(load_fn=self.services.follow_ups.responses_in_order),
            restricted=DataLoader(load_fn=self.services.privacy.restricted_flags),
            masked_text=DataLoader(load_fn=free_text.masked, cache=False),
            message_delivery=DataLoader(load_fn=self.services.rights.messages.deliveries),
            notes_by_follow_up=DataLoader(load_fn=self.services.notes.notes_in_order),
            follow_up_of_response=DataLoader(
                load_fn=self.services.follow_ups.follow_up_ids_in_order
            ),
        )

    async def authenticate(self) -> Principal | None:
        """Look the bearer token up once per request. Done by the permission check, inside
        the operation, so a database outage is reported like any other error."""
        if not self._authenticated:
            if self.signed_in is not None:
                self._principal = self.signed_in
            elif self.token is not None:
                self._principal = await self.services.keys.authenticate(self.token)
            self._authenticated = True
        return self._principal

    def reveal(self, kind: str, document_id: str) -> None:
        """Note that a document's personal data was shown unmasked; the operation's
        end writes one audit entry for all of them (RevealAudit)."""
        self.revealed.setdefault(kind, set()).add(document_id)

    @property
    def principal(self) -> Principal | None:
        """The caller, once a permission check has authenticated them."""
        return self._principal

    @property
    def survey_scope(self) -> frozenset[str] | None:
        """The surveys a widget key is limited to; None when not limited."""
        return self.principal.survey_scope if self.principal else None
