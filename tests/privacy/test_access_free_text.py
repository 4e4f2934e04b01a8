"""An access export holds the subject's own data: other people quoted in comments and
notes are redacted, and the staff who handled the follow-ups are named by their role."""

from __future__ import annotations

import json

from hub.models.common import Channel, Role, UserIdentity
from hub.models.followup import Actor, FollowUp
from hub.services import Services
from tests.factories import context, make_survey

A_EMAIL, B_EMAIL = "zeta@example.org", "Bjorn.Dahl@example.net"
A = UserIdentity(id="cust-73301-q", username="zeta.lindqvist", email=A_EMAIL)
B = UserIdentity(id="cust-11842-b", username="bjorn.dahl", email=B_EMAIL)
B_COMMENT = (
    "Ask cust-73301-q or ZETA.LINDQVIST (zeta@example.org). "
    "Me: bjorn.dahl, bjorn.dahl@example.net, +47 22 33 44 55."
)
B_OWN = "Ask [user] or [user] ([email]). Me: bjorn.dahl, bjorn.dahl@example.net, +47 22 33 44 55."
NOTE = "Phoned Bjorn; zeta.lindqvist was copied. Ingrid Holm and <@U0STAFF2> agreed."


async def answer(services: Services, who: UserIdentity, score: int, comment: str) -> str:
    display = await services.responses.record_display(
        "nps-main", who, Channel.IN_APP_WEB, context(), "en"
    )
    response = await services.responses.submit_score(str(display.id), score)
    await services.responses.submit_comment(str(response.id), comment)
    return str(response.id)


async def given_b_quotes_a_and_staff_handled_it(services: Services) -> None:
    await make_survey(services, key="nps-main")
    await services.routing.set_defaults("CROUTED", None)
    await answer(services, A, 9, "Fine")
    await answer(services, B, 3, B_COMMENT)
    follow_up = await FollowUp.find_one({"subject_id": B.id})
    assert follow_up is not None
    await services.follow_ups.claim(
        str(follow_up.id), Actor(id="slack:U0STAFF1", name="Ingrid Holm")
    )
    key, _ = await services.keys.create(Role.ADMIN, "Olav's key")
    admin = Actor(id=f"key:{key.id}", name="Olav's key")
    await services.follow_ups.resolve(str(follow_up.id), admin, NOTE, True, is_admin=True)


async def test_b_s_access_export_redacts_a_and_names_staff_by_role(services: Services) -> None:
    await given_b_quotes_a_and_staff_handled_it(services)

    export = await services.privacy.exports.access([B.id], [B_EMAIL])

    [response] = export["data"]["responses"]
    assert response["comment"] == B_OWN  # B's own identifiers and number stay
    assert response["user"]["email"] == B_EMAIL.casefold()  # stored in the normal form
    [follow_up] = export["data"]["follow_ups"]
    assert follow_up["claimed_by"] == "a member of staff (agent)"
    assert follow_up["resolution"]["by"] == "a member of staff (admin)"
    assert follow_up["resolution"]["note"] == (
        "Phoned Bjorn; [user] was copied. [staff] and [staff] agreed."
    )
    dumped = json.dumps(export).lower()
    for other in ("cust-73301-q", "zeta", "ingrid", "u0staff", "olav"):
        assert other not in dumped, other


async def test_a_s_own_export_keeps_a_s_identifiers(services: Services) -> None:
    await given_b_quotes_a_and_staff_handled_it(services)

    export = await services.privacy.exports.access([A.id], [A_EMAIL])

    [response] = export["data"]["responses"]
    assert response["comment"] == "Fine"
    assert "bjorn" not in json.dumps(export).lower()


async def test_b_s_portable_comments_redact_a(services: Services) -> None:
    await given_b_quotes_a_and_staff_handled_it(services)

    export = await services.privacy.exports.portability([B.id], [B_EMAIL])

    assert [row["comment"] for row in export["responses"]] == [B_OWN]
