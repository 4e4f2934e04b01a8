"""Two people's data across every collection, and erasing one of them."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from hub.clock import FrozenClock
from hub.db import Database
from hub.models.common import Channel, UserIdentity
from hub.models.privacy import (
    AuditActor,
    RightsRequestType,
    VerificationMethod,
)
from hub.models.response import Response
from hub.services import Services
from hub.services.privacy.rights import NewRequest
from hub.services.privacy.rights_identity import IdentityKind, IdentityStatus
from hub.services.privacy.rights_messages import KEY_PREFIX
from tests.factories import context, make_survey
from tests.support.slack import FakeSlack

OFFICER = AuditActor(key_id="k-officer", role="privacy_officer", label="officer")


A = UserIdentity(id="subject-a-4711", username="annalund", email="anna.lund@example.org")


B = UserIdentity(id="subject-b-0815", username="bjorn", email="bjorn@example.net")


A_TRACES = ["subject-a-4711", "annalund", "anna.lund@example.org"]


async def _answer(services: Services, who: UserIdentity, score: int, comment: str) -> Response:
    display = await services.responses.record_display(
        "nps-main", who, Channel.IN_APP_WEB, context(), "en"
    )
    response = await services.responses.submit_score(str(display.id), score)
    return await services.responses.submit_comment(str(response.id), comment)


async def _everything(database: Database) -> dict[str, list[dict[str, Any]]]:
    found = {}
    for name in sorted(await database.list_collection_names()):
        found[name] = [doc async for doc in database[name].find().sort("_id", 1)]
    return found


def _split_answers(
    everything: dict[str, list[dict[str, Any]]],
) -> tuple[dict[str, list[dict[str, Any]]], list[dict[str, Any]]]:
    """The collections without the e-mails that answer the person's own requests, and
    those e-mails: addressed to them, each the one copy of their address left until it
    is delivered (docs/privacy/messages.md)."""
    answers = [doc for doc in everything.get("outbox", []) if _is_answer(doc)]
    rest = dict(everything)
    if "outbox" in rest:
        rest["outbox"] = [doc for doc in rest["outbox"] if not _is_answer(doc)]
    return rest, answers


def _is_answer(doc: dict[str, Any]) -> bool:
    return str(doc.get("key", "")).startswith(f"{KEY_PREFIX}:")


def _traces(data: object, needles: list[str]) -> list[str]:
    text = json.dumps(data, default=str).lower()
    return [needle for needle in needles if needle.lower() in text]


async def _given_a_and_b(services: Services, clock: FrozenClock, slack: FakeSlack) -> None:
    await make_survey(services, key="nps-main")
    await services.routing.set_defaults("CROUTED", "CESCALATE")
    await services.responses.record_login(A)
    await services.responses.record_login(B)
    await _answer(services, A, 2, "Slow invoices, write to me at anna.lund@example.org")
    clock.advance(timedelta(minutes=5))
    await _answer(services, B, 3, "Anna (anna.lund@example.org, annalund) said the same!")
    await services.dispatcher.run_once()
    # Slack shows the comments masked; the database holds them as written.
    assert _traces([m.blocks for m in slack.messages.values()], ["anna.lund@example.org"]) == []
    assert await Response.find({"comment": {"$regex": "anna.lund@example.org"}}).count() == 2


async def _erase(
    services: Services, request_type: RightsRequestType, email: str, allow_no_match: bool = False
) -> Any:
    """The officer files the request by e-mail address, confirms the user ids found on
    that address's records (having checked they are the person's), and executes it."""
    request = await services.rights.file(
        NewRequest(request_type, email=email), OFFICER, VerificationMethod.OTHER_MEANS, "ID seen"
    )
    linked = [
        match.value
        for match in await services.privacy.identity_matches(request)
        if match.kind is IdentityKind.USER_ID and match.status is IdentityStatus.LINKED
    ]
    if linked:
        await services.privacy.confirm_identities(
            str(request.id), linked, [], "Same account in the CRM.", OFFICER
        )
    return await services.privacy.execute(str(request.id), OFFICER, allow_no_match)
