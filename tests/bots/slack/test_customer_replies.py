"""The claimer replies to the customer from Slack: the "Reply to customer" button opens
a form, its submission e-mails the customer (through the outbox, over a real SMTP
server) in the survey's language with the routing rule's Reply-To, exactly once."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from hub.clock import FrozenClock
from hub.models.followup import FollowUp
from hub.models.outbox import OutboxMessage
from hub.models.suppression import SuppressionReason
from hub.services import Services
from hub.services.followups.routing import RuleDraft
from hub.settings import Settings
from tests.support.mail import Mailbox, html_of, mailbox, smtp, text_of
from tests.support.slack import FakeSlack
from tests.support.slack_sender import SlackSender
from tests.support.waiting import eventually
from tests.support.widget import Widget, follow_up_of

__all__ = ["mailbox", "smtp"]

REPLY_TO = "nordics-support@acme.example"
COMMENT = "Las facturas tardan muchísimo en cargar"
REPLY = "Hola, lo hemos arreglado hoy.\n\nGracias por avisarnos."


@pytest.fixture
def slack_settings(slack_settings: Settings, smtp: tuple[Mailbox, int]) -> Settings:
    return slack_settings.model_copy(
        update={
            "smtp_host": "127.0.0.1",
            "smtp_port": smtp[1],
            "smtp_starttls": False,
            "smtp_from": "feedback@hub.test",
        }
    )


async def claimed_follow_up(
    services: Services,
    widget: Widget,
    slack: FakeSlack,
    sender: SlackSender,
    locale: str = "es",
    identity: dict[str, str | None] | None = None,
) -> FollowUp:
    """A follow-up routed by a rule with a Reply-To, posted, and claimed by UAGENT."""
    await services.routing.create_rule(
        RuleDraft(name="Nordics", channel_id="CROUTED", reply_to=REPLY_TO)
    )
    response = await widget.answer(4, COMMENT, locale=locale, identity=identity)
    await services.dispatcher.run_once()
    follow_up = await follow_up_of(response)
    told = len(slack.calls_to("chat.postEphemeral"))
    await sender.click("followup_claim", str(follow_up.id), "UAGENT")
    await eventually(lambda: len(slack.calls_to("chat.postEphemeral")) == told + 1)
    return follow_up


async def reloaded(follow_up: FollowUp) -> FollowUp:
    found = await FollowUp.get(follow_up.id)
    assert found is not None
    return found


def buttons_of(slack: FakeSlack) -> list[str]:
    [message] = slack.channel_messages("CROUTED")
    actions = next(b for b in message.blocks if b["type"] == "actions")
    return [button["text"]["text"] for button in actions["elements"]]


async def test_the_claimer_emails_the_customer_once_in_the_survey_language(
    hub_services: Services,
    widget: Widget,
    slack: FakeSlack,
    sender: SlackSender,
    mailbox: Mailbox,
    clock: FrozenClock,
) -> None:
    # Given a follow-up of a survey answered in Spanish, claimed by UAGENT
    follow_up = await claimed_follow_up(hub_services, widget, slack, sender)
    await hub_services.dispatcher.run_once()
    assert buttons_of(slack) == ["Unclaim", "Resolve", "Reassign", "Reply to customer"]

    # When the claimer clicks "Reply to customer", a form shows the comment and language
    await sender.click("followup_reply", str(follow_up.id), "UAGENT")
    await eventually(lambda: len(slack.calls_to("views.open")) == 1)
    [view] = slack.opened_views()
    assert view["callback_id"] == "followup_reply_view"
    assert COMMENT in json.dumps(view["blocks"], ensure_ascii=False)
    assert "Español (es)" in json.dumps(view["blocks"], ensure_ascii=False)
    assert json.loads(view["private_metadata"])["follow_up_id"] == str(follow_up.id)

    # And submits it: the form closes
    clock.advance(timedelta(minutes=3))
    answer = await sender.submit_reply(str(follow_up.id), "UAGENT", REPLY, view_id="VREPLY1")
    assert answer.status_code == 200 and answer.text == ""

    # Slack sends the submission again, and so does a second click on Send
    again = await sender.send(answer.request.content.decode(), retry=1)
    assert again.status_code == 200
    await sender.submit_reply(str(follow_up.id), "UAGENT", REPLY, view_id="VREPLY1")
    await hub_services.dispatcher.run_once()

    # Then the customer got exactly one e-mail, in Spanish, with the rule's Reply-To
    [mail] = mailbox.messages
    assert mail["To"] == "person1@example.org"
    assert mail["Subject"] == "Re: tu opinión sobre Accounting"
    assert mail["Reply-To"] == REPLY_TO
    assert mail["Content-Language"] == "es"
    assert "lo hemos arreglado hoy" in text_of(mail)
    assert f"> {COMMENT}" in text_of(mail)
    assert "Escribiste:" in text_of(mail)
    assert "Gracias por avisarnos.</p>" in html_of(mail)

    # And the follow-up records the reply once, and counts as customer informed
    replied = await reloaded(follow_up)
    [reply] = replied.customer_replies
    assert (reply.by.id, reply.text, reply.to, reply.locale) == (
        "slack:UAGENT",
        REPLY,
        "person1@example.org",
        "es",
    )
    outbox = await OutboxMessage.find(OutboxMessage.kind == "email").to_list()
    assert [str(message.id) for message in outbox] == [reply.outbox_id]
    assert replied.customer_informed_at == clock.now()

    # And the Slack message says so, rebuilt from the database
    await hub_services.dispatcher.run_once()
    [message] = slack.channel_messages("CROUTED")
    assert "Customer informed by e-mail" in json.dumps(message.blocks)
    assert "person1@example.org" not in json.dumps(message.blocks)


async def test_another_form_is_another_reply(
    hub_services: Services,
    widget: Widget,
    slack: FakeSlack,
    sender: SlackSender,
    mailbox: Mailbox,
    clock: FrozenClock,
) -> None:
    follow_up = await claimed_follow_up(hub_services, widget, slack, sender, locale="en")
    first = clock.now()

    await sender.submit_reply(str(follow_up.id), "UAGENT", "We are on it.", view_id="V1")
    clock.advance(timedelta(days=1))
    await sender.submit_reply(str(follow_up.id), "UAGENT", "Fixed now.", view_id="V2")
    await hub_services.dispatcher.run_once()

    assert [text_of(m).splitlines()[0] for m in mailbox.messages] == [
        "We are on it.",
        "Fixed now.",
    ]
    assert all(m["Subject"] == "Re: your feedback about Accounting" for m in mailbox.messages)
    replied = await reloaded(follow_up)
    assert len(replied.customer_replies) == 2
    assert replied.customer_informed_at == first  # the first time they were told


async def test_only_the_claimer_may_reply(
    hub_services: Services, widget: Widget, slack: FakeSlack, sender: SlackSender,
    mailbox: Mailbox,
) -> None:  # fmt: skip
    follow_up = await claimed_follow_up(hub_services, widget, slack, sender)

    # Someone else clicks the button: told why, no form
    await sender.click("followup_reply", str(follow_up.id), "UOTHER")
    await eventually(lambda: len(slack.calls_to("chat.postEphemeral")) == 2)
    refusal = slack.calls_to("chat.postEphemeral")[-1]
    assert refusal.args["user"] == "UOTHER"
    assert "Only the one who claimed" in str(refusal.args["text"])
    assert slack.calls_to("views.open") == []

    # Nor does a forged submission of the form send anything
    answer = await sender.submit_reply(str(follow_up.id), "UOTHER", "Hello from me")
    assert answer.json()["response_action"] == "errors"
    assert "Only the one who claimed" in answer.json()["errors"]["reply"]
    await hub_services.dispatcher.run_once()
    assert mailbox.messages == []
    assert (await reloaded(follow_up)).customer_replies == []


async def test_an_unclaimed_follow_up_has_no_reply_button(
    hub_services: Services, widget: Widget, slack: FakeSlack, sender: SlackSender
) -> None:
    await hub_services.routing.set_defaults("CROUTED", None)
    follow_up = await follow_up_of(await widget.answer(4, COMMENT))
    await hub_services.dispatcher.run_once()
    assert buttons_of(slack) == ["Claim", "Resolve", "Assign"]

    await sender.click("followup_reply", str(follow_up.id), "UAGENT")
    await eventually(lambda: len(slack.calls_to("chat.postEphemeral")) == 1)
    assert "Claim the follow-up before replying" in str(
        slack.calls_to("chat.postEphemeral")[0].args["text"]
    )


async def test_an_empty_reply_is_refused_in_the_form(
    hub_services: Services, widget: Widget, slack: FakeSlack, sender: SlackSender,
    mailbox: Mailbox,
) -> None:  # fmt: skip
    follow_up = await claimed_follow_up(hub_services, widget, slack, sender)

    answer = await sender.submit_reply(str(follow_up.id), "UAGENT", "   ")

    assert answer.json() == {
        "response_action": "errors",
        "errors": {"reply": "Write the reply (up to 3000 characters)."},
    }
    assert await OutboxMessage.find(OutboxMessage.kind == "email").count() == 0


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        (SuppressionReason.OBJECTION, "objected to being contacted"),
        (SuppressionReason.RESTRICTION, "data is restricted"),
        (SuppressionReason.ERASURE, "data was erased"),
    ],
)
async def test_a_person_who_may_not_be_contacted_is_not(
    hub_services: Services,
    widget: Widget,
    slack: FakeSlack,
    sender: SlackSender,
    mailbox: Mailbox,
    reason: SuppressionReason,
    message: str,
) -> None:
    # Given the claimer opened the form
    follow_up = await claimed_follow_up(hub_services, widget, slack, sender)
    await sender.click("followup_reply", str(follow_up.id), "UAGENT")
    await eventually(lambda: len(slack.calls_to("views.open")) == 1)

    # When the person is suppressed meanwhile (here by address, as the opt-out link does)
    await hub_services.suppressions.suppress(reason, email="Person1@Example.org")

    # Then the submission is refused in the form, and nothing is sent
    answer = await sender.submit_reply(str(follow_up.id), "UAGENT", "Hello")
    assert answer.json()["response_action"] == "errors"
    assert message in answer.json()["errors"]["reply"]
    assert "person1" not in answer.text
    await hub_services.dispatcher.run_once()
    assert mailbox.messages == []
    assert (await reloaded(follow_up)).customer_replies == []

    # And a new click is refused before the form opens
    await sender.click("followup_reply", str(follow_up.id), "UAGENT")
    await eventually(lambda: len(slack.calls_to("chat.postEphemeral")) == 2)
    assert message in str(slack.calls_to("chat.postEphemeral")[-1].args["text"])
    assert len(slack.calls_to("views.open")) == 1


async def test_a_customer_without_an_address_gets_no_button_and_no_form(
    hub_services: Services, widget: Widget, slack: FakeSlack, sender: SlackSender
) -> None:
    follow_up = await claimed_follow_up(
        hub_services, widget, slack, sender, identity={"email": None}
    )
    await hub_services.dispatcher.run_once()
    assert buttons_of(slack) == ["Unclaim", "Resolve", "Reassign"]

    await sender.click("followup_reply", str(follow_up.id), "UAGENT")
    await eventually(lambda: len(slack.calls_to("chat.postEphemeral")) == 2)
    assert "left no e-mail address" in str(slack.calls_to("chat.postEphemeral")[-1].args["text"])
    assert slack.calls_to("views.open") == []
