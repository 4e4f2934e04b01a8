"""E-mail invitations: queued through the outbox, sent over SMTP to a real local
server, answered with one click from the received mail, and the opt-out link."""

from __future__ import annotations

import base64
from datetime import timedelta

import httpx
from itsdangerous import URLSafeSerializer
from starlette.applications import Starlette

from hub.clock import FrozenClock
from hub.models.activity import Display
from hub.models.common import Channel, Role
from hub.models.link import SurveyLink
from hub.models.outbox import OutboxMessage, OutboxStatus
from hub.models.response import Response
from hub.models.suppression import OptOutObjection, Suppression
from hub.models.survey import ContactRules
from hub.server_secret import server_secret
from hub.services import Services
from hub.settings import Settings
from tests.factories import make_survey
from tests.support.graphql import GraphQLClient
from tests.support.invitations import CHANNELS, ELIGIBILITY, SEND, deliver, recipient, send
from tests.support.mail import PUBLIC_URL, Mailbox, html_of, links_in, path, text_of


async def test_one_click_score_from_the_mail_lands_on_the_follow_up(
    services: Services, gql: GraphQLClient, http: httpx.AsyncClient, app: Starlette,
    mailbox: Mailbox,
) -> None:  # fmt: skip
    await make_survey(services, channels=CHANNELS)

    result = await send(gql, [recipient(1, "es"), recipient(2)])
    await deliver(app)

    assert [item["userId"] for item in result["queued"]] == ["user-1", "user-2"]
    assert result["skipped"] == []
    spanish = mailbox.to("person1@example.org")
    english = mailbox.to("person2@example.org")
    assert len(spanish) == 1 and len(english) == 1
    assert spanish[0]["Subject"] == "Una pregunta rápida sobre Accounting"
    assert spanish[0]["From"] == "feedback@hub.test"
    assert "¿Qué probabilidad hay de que nos recomiendes?" in text_of(spanish[0])
    assert "No quiero recibir más encuestas" in html_of(spanish[0])
    assert english[0]["Subject"] == "A quick question about Accounting"
    messages = await OutboxMessage.find_all().to_list()
    assert {m.status for m in messages} == {OutboxStatus.DELIVERED}
    # Delivered, they keep no address and no user id, not even in their keys
    assert all(m.subject_ids == [] and m.payload == {} for m in messages)
    assert not any("user-" in m.key or "example.org" in m.key for m in messages)

    score_links = [url for url in links_in(spanish[0]) if "/score/" in url]
    assert [url.rsplit("/", 1)[1] for url in score_links] == [str(n) for n in range(11)]
    clicked = await http.get(path(score_links[8]), follow_redirects=True)

    assert clicked.status_code == 200
    assert "¿Cuál es el motivo principal de tu puntuación?" in clicked.text
    response = await Response.find_one()
    assert response is not None
    assert (response.score, response.channel, response.user.id) == (8, Channel.EMAIL, "user-1")
    assert response.user.email == "person1@example.org" and response.locale == "es"
    await http.get(path(score_links[2]), follow_redirects=True)
    assert await Response.find_all().count() == 1


async def test_ineligible_and_invalid_recipients_are_skipped_with_the_reason(
    services: Services, gql: GraphQLClient, app: Starlette, mailbox: Mailbox,
    clock: FrozenClock,
) -> None:  # fmt: skip
    await make_survey(services, channels=CHANNELS)
    await send(gql, [recipient(1)])
    await deliver(app)
    clicked = [url for url in links_in(mailbox.to("person1@example.org")[0]) if "/score/" in url]
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=PUBLIC_URL) as http:
        await http.get(path(clicked[9]))
    clock.advance(timedelta(days=1))

    result = await send(
        gql,
        [
            recipient(1),
            {"id": "user-5", "email": None},
            {"id": "user-6", "email": "not-an-address"},
            recipient(7),
            recipient(7),
            recipient(8),
        ],
    )
    again = await send(gql, [recipient(8)])
    clock.advance(timedelta(days=1))
    next_day = await send(gql, [recipient(8)])
    await deliver(app)

    skipped = {(item["index"], item["reason"], item["rule"]) for item in result["skipped"]}
    assert skipped == {
        (0, "NOT_ELIGIBLE", "ANSWERED_RECENTLY"),
        (1, "MISSING_EMAIL", None),
        (2, "INVALID_EMAIL", None),
        (4, "DUPLICATE_RECIPIENT", None),
    }
    answered = next(item for item in result["skipped"] if item["index"] == 0)
    assert answered["until"].startswith("2026-05-30")
    assert [item["userId"] for item in result["queued"]] == ["user-7", "user-8"]
    # An invitation is a display: the contact rules count it like any other.
    assert again["skipped"][0]["reason"] == "NOT_ELIGIBLE"
    assert again["skipped"][0]["rule"] == "DISPLAYED_RECENTLY"
    assert next_day["queued"][0]["userId"] == "user-8"
    assert len(mailbox.to("person8@example.org")) == 2
    assert len(mailbox.to("person1@example.org")) == 1


async def test_an_invitation_counts_as_a_display_and_a_second_one_the_same_day_is_refused(
    services: Services, gql: GraphQLClient, http: httpx.AsyncClient, app: Starlette,
    mailbox: Mailbox,
) -> None:  # fmt: skip
    rules = ContactRules(min_days_between_displays=0)
    await make_survey(services, channels=CHANNELS, rules=rules)

    first = await send(gql, [recipient(1)])
    same_day = await send(gql, [recipient(1)])
    widget = await gql.ok(ELIGIBILITY, {"user": {"id": "user-1"}}, Role.WIDGET)
    await deliver(app)
    score_link = next(
        url for url in links_in(mailbox.to("person1@example.org")[0]) if "/score/" in url
    )
    opened = await http.get(path(score_link.rsplit("/score/", 1)[0]))

    after_delivery = await send(gql, [recipient(1)])

    assert len(first["queued"]) == 1
    assert same_day["skipped"][0]["reason"] == "ALREADY_INVITED"
    assert after_delivery["skipped"][0]["reason"] == "ALREADY_INVITED"
    displays = await Display.find_all().to_list()
    assert [(d.channel, d.user.id) for d in displays] == [(Channel.EMAIL, "user-1")]
    assert widget["surveyEligibility"]["eligible"] is True  # min_days_between_displays=0
    assert opened.status_code == 200 and 'name="score"' in opened.text
    assert await Display.find_all().count() == 1  # the link answers the invitation's display
    assert len(mailbox.to("person1@example.org")) == 1


async def test_opt_out_records_the_objection_and_stops_every_survey(
    services: Services, gql: GraphQLClient, http: httpx.AsyncClient, app: Starlette,
    mailbox: Mailbox, database: object,
) -> None:  # fmt: skip
    await make_survey(services, channels=CHANNELS)
    await send(gql, [recipient(1, "nb")])
    await deliver(app)
    mail = mailbox.to("person1@example.org")[0]
    opt_out = next(url for url in links_in(mail) if "/o/" in url)
    assert mail["List-Unsubscribe"] == f"<{opt_out}>"

    token = path(opt_out).removeprefix("/o/")
    readable = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    assert not any(word in readable for word in (b"person1", b"user-1", b"nps-main"))
    await SurveyLink.get_pymongo_collection().delete_many({})  # expired and removed
    forged = await http.post(path(opt_out)[:-2] + "xx")
    assert forged.status_code == 404 and "This link is not valid" in forged.text
    assert await Suppression.find_all().count() == 0
    confirm = await http.get(path(opt_out))
    assert confirm.status_code == 200 and "Stop all surveys" in confirm.text
    assert await Suppression.find_all().count() == 0
    done = await http.post(path(opt_out))

    assert "You will not receive surveys from us again." in done.text
    eligibility = await gql.ok(ELIGIBILITY, {"user": {"id": "user-1"}}, Role.WIDGET)
    assert eligibility["surveyEligibility"] == {"eligible": False, "reason": "SUPPRESSED"}
    by_email = await gql.ok(
        ELIGIBILITY, {"user": {"id": "other-id", "email": "Person1@example.org"}}, Role.WIDGET
    )
    assert by_email["surveyEligibility"]["reason"] == "SUPPRESSED"
    retried = await send(gql, [recipient(1)])
    assert retried["skipped"][0]["rule"] == "SUPPRESSED"
    objections = await OptOutObjection.find_all().to_list()
    assert len(objections) == 1 and objections[0].survey_key == "nps-main"
    stored = [str(doc) for doc in await Suppression.find_all().to_list()]
    assert len(stored) == 2
    assert not any("user-1" in doc or "person1" in doc.lower() for doc in stored)
    assert (await http.post(path(opt_out))).status_code == 200
    assert await OptOutObjection.find_all().count() == 1


async def test_an_opt_out_link_of_an_earlier_mail_still_works(
    services: Services, gql: GraphQLClient, http: httpx.AsyncClient, settings: Settings
) -> None:
    # E-mails sent before opt-out links were encrypted carry a signed token.
    await make_survey(services, channels=CHANNELS)
    signed = URLSafeSerializer(server_secret(settings), salt="opt-out")
    token = signed.dumps({"s": "nps-main", "u": "user-7", "h": [], "l": "en"})

    confirm = await http.get(f"/o/{token}")
    done = await http.post(f"/o/{token}")
    forged = await http.post(f"/o/{token[:-2]}xx")

    assert confirm.status_code == 200 and "Stop all surveys" in confirm.text
    assert "You will not receive surveys from us again." in done.text
    assert forged.status_code == 404
    eligibility = await gql.ok(ELIGIBILITY, {"user": {"id": "user-7"}}, Role.WIDGET)
    assert eligibility["surveyEligibility"] == {"eligible": False, "reason": "SUPPRESSED"}


async def test_the_survey_default_locale_when_the_person_has_none_of_its_texts(
    services: Services, gql: GraphQLClient, app: Starlette, mailbox: Mailbox
) -> None:
    await make_survey(services, channels=CHANNELS)

    await send(gql, [recipient(3, "fi")])
    await deliver(app)

    mail = mailbox.to("person3@example.org")[0]
    assert mail["Subject"] == "A quick question about Accounting"
    assert "How likely are you to recommend us?" in text_of(mail)
    assert "Do not send me surveys again" in text_of(mail)


async def test_invitations_are_admin_only_and_need_the_email_channel(
    services: Services, gql: GraphQLClient, mailbox: Mailbox
) -> None:
    await make_survey(services, channels=[Channel.IN_APP_WEB])
    variables = {"survey": "nps-main", "recipients": [recipient(1)]}

    forbidden = await gql.error_code(SEND, variables, Role.VIEWER)
    no_channel = await send(gql, [recipient(1)])

    assert forbidden == "FORBIDDEN"
    assert no_channel["code"] == "CHANNEL_NOT_ENABLED"
    assert await OutboxMessage.find_all().count() == 0


async def test_opting_out_drops_the_invitations_still_queued(
    services: Services, gql: GraphQLClient, http: httpx.AsyncClient, app: Starlette,
    mailbox: Mailbox, clock: FrozenClock,
) -> None:  # fmt: skip
    await make_survey(services, channels=CHANNELS)
    await make_survey(services, key="csat-support", channels=CHANNELS)
    await send(gql, [recipient(1)])
    await deliver(app)
    opt_out = next(url for url in links_in(mailbox.to("person1@example.org")[0]) if "/o/" in url)
    clock.advance(timedelta(days=8))
    queued = await gql.ok(
        SEND, {"survey": "csat-support", "recipients": [recipient(1)]}, Role.ADMIN
    )
    assert len(queued["sendSurveyInvitations"]["queued"]) == 1

    await http.post(path(opt_out))
    await deliver(app)

    assert len(mailbox.to("person1@example.org")) == 1
    assert await OutboxMessage.find(OutboxMessage.status == OutboxStatus.PENDING).count() == 0
