"""Theme tags are personal data derived from a comment: an access export holds them,
erasure removes them, retention's scrubbing takes their words (and has the scrubbed
comment matched again), rectification leaves them, and while a person's data is
restricted they are shown as the comment is."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from beanie import PydanticObjectId

from hub.clock import FrozenClock
from hub.models.common import Channel, Role, UserIdentity
from hub.models.privacy import (
    AuditActor,
    Corrections,
    RightsRequest,
    RightsRequestType,
    VerificationMethod,
)
from hub.models.response import Response
from hub.models.theme import ThemeTag
from hub.services import Services
from hub.services.privacy.registry import REDACTED
from hub.services.privacy.rights import NewRequest
from tests.factories import context, make_survey
from tests.support.graphql import GraphQLClient, nodes
from tests.support.theme_tags import store_tags

OFFICER = AuditActor(key_id="k-officer", role="privacy_officer", label="officer")
SYSTEM = AuditActor(key_id=None, role="system", label="test")
A = UserIdentity(id="subject-a-4711", username="annalund", email="anna.lund@example.org")
# The support tag matched words inside the address: the comment's personal data.
COMMENT = "Two invoices for one month. Mail faktura.support@lund.example"
BILLING = ThemeTag(theme="billing", language="en", rule="invoice", words=["invoices"])
SUPPORT = ThemeTag(theme="support", language="en", rule="support", words=["support"])
QUOTING = ThemeTag(theme="billing", language="nb", rule="faktura*", words=["fakturaen"])
THEMES = """
query { responses(first: 5) { edges { node { comment themes { theme words } } } } }
"""


async def _tagged_answer(services: Services) -> PydanticObjectId:
    """A commented; the tagger tagged the comment billing and support."""
    await make_survey(services, key="nps-main")
    display = await services.responses.record_display(
        "nps-main", A, Channel.IN_APP_WEB, context(company="Lund AS"), "en"
    )
    response = await services.responses.submit_score(str(display.id), 3)
    await services.responses.submit_comment(str(response.id), COMMENT)
    assert response.id is not None
    await store_tags(response.id, BILLING, SUPPORT)
    return response.id


async def _stored(response_id: PydanticObjectId) -> Response:
    found = await Response.get(response_id)
    assert found is not None
    return found


async def _execute(
    services: Services, type_: RightsRequestType, corrections: Corrections | None = None
) -> RightsRequest:
    request = await services.rights.file(
        NewRequest(type_, user_id=A.id, corrections=corrections),
        OFFICER,
        VerificationMethod.OTHER_MEANS,
        "ID seen",
    )
    return await services.privacy.execute(str(request.id), OFFICER)


async def test_the_access_export_holds_the_tags(services: Services) -> None:
    await _tagged_answer(services)

    export = await services.privacy.exports.access([A.id], [A.email or ""])

    [response] = export["data"]["responses"]
    assert response["themes"] == [BILLING.model_dump(), SUPPORT.model_dump()]
    assert "feedback" in export["processing"]["categories"]


C = UserIdentity(id="subject-c-1200", username="fakturaen", email="c@example.org")
D = UserIdentity(id="subject-d-1300", username="dagny", email="d@example.org")


async def _d_quotes_c(services: Services) -> PydanticObjectId:
    """D's comment names C by username, and a rule matched that word."""
    await make_survey(services, key="nps-main")
    for who, comment in ((C, "Fine"), (D, "fakturaen sent me the wrong invoice")):
        display = await services.responses.record_display(
            "nps-main", who, Channel.IN_APP_WEB, context(), "en"
        )
        response = await services.responses.submit_score(str(display.id), 5)
        await services.responses.submit_comment(str(response.id), comment)
    assert response.id is not None
    await store_tags(response.id, QUOTING)
    return response.id


async def test_the_access_export_redacts_other_people_in_the_tags_as_in_the_comment(
    services: Services,
) -> None:
    await _d_quotes_c(services)

    export = await services.privacy.exports.access([D.id], [D.email or ""])

    [response] = export["data"]["responses"]
    assert response["comment"] == "[user] sent me the wrong invoice"
    assert response["themes"][0]["words"] == ["[user]"]


async def test_erasure_redacts_the_person_in_other_people_s_tags_as_in_their_comments(
    services: Services,
) -> None:
    response_id = await _d_quotes_c(services)

    # When C is erased
    request = await services.rights.file(
        NewRequest(RightsRequestType.ERASURE, user_id=C.id),
        OFFICER,
        VerificationMethod.OTHER_MEANS,
        "ID seen",
    )
    await services.privacy.execute(str(request.id), OFFICER)

    # Then D's tags are redacted as D's comment, and wait to be matched again
    kept = await _stored(response_id)
    assert kept.comment == f"{REDACTED} sent me the wrong invoice"
    assert [(tag.theme, tag.words) for tag in kept.themes] == [("billing", [REDACTED])]
    assert kept.themes_pending is True
    assert "fakturaen" not in kept.model_dump_json()


async def test_erasure_removes_the_tags_and_the_pending_flag(services: Services) -> None:
    response_id = await _tagged_answer(services)
    await (await _stored(response_id)).set({"themes_pending": True})  # re-tagging waits

    await _execute(services, RightsRequestType.ERASURE)

    erased = await _stored(response_id)
    assert (erased.comment, erased.themes, erased.themes_pending) == (None, [], None)
    raw = await Response.get_pymongo_collection().find_one({"_id": response_id})
    assert raw is not None and raw["themes"] == [] and raw["themes_pending"] is None


async def test_retention_takes_the_words_and_has_the_scrubbed_comment_matched_again(
    services: Services, clock: FrozenClock
) -> None:
    clock.set(datetime(2026, 3, 1, 10, tzinfo=UTC))
    response_id = await _tagged_answer(services)

    clock.set(datetime(2029, 3, 1, 10, tzinfo=UTC))
    report = await services.retention.run(False, SYSTEM)

    assert report.responses_anonymised == 1
    kept = await _stored(response_id)
    assert kept.comment == "Two invoices for one month. Mail [email]"
    # No word of the comment as written is left in the tags; the themes stay (they
    # are counted) until the tagger has matched the scrubbed comment again.
    assert [(tag.theme, tag.rule, tag.words) for tag in kept.themes] == [
        ("billing", "invoice", []),
        ("support", "support", []),
    ]
    assert kept.themes_pending is True
    # A second run finds nothing left to anonymise.
    assert (await services.retention.run(False, SYSTEM)).responses_anonymised == 0


async def test_rectification_leaves_the_tags(services: Services) -> None:
    response_id = await _tagged_answer(services)

    await _execute(
        services,
        RightsRequestType.RECTIFICATION,
        Corrections(email="anna@lund.example", company="Lund AB"),
    )

    corrected = await _stored(response_id)
    assert corrected.customer.company == "Lund AB"
    assert corrected.themes == [BILLING, SUPPORT]


@pytest.mark.parametrize("role", [Role.PRIVACY_OFFICER, Role.ADMIN, Role.VIEWER])
async def test_a_restricted_person_s_tags_are_shown_as_the_comment_is(
    services: Services, gql: GraphQLClient, role: Role
) -> None:
    response_id = await _tagged_answer(services)

    await _execute(services, RightsRequestType.RESTRICTION)
    shown = nodes((await gql.ok(THEMES, role=role))["responses"])

    # The tags stay on the response
    assert (await _stored(response_id)).themes == [BILLING, SUPPORT]
    if role is Role.PRIVACY_OFFICER:  # who alone sees a restricted person
        assert shown == [
            {
                "comment": COMMENT,
                "themes": [
                    {"theme": "billing", "words": ["invoices"]},
                    {"theme": "support", "words": ["support"]},
                ],
            }
        ]
    else:  # the others see neither the comment nor its tags
        assert shown == []
