"""The mail service: e-mails queued in the outbox and sent over SMTP by the
dispatcher; a server that is down means a retry, a refusal means giving up."""

from __future__ import annotations

from collections.abc import Iterator
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from pydantic import SecretStr

from hub.clock import FrozenClock
from hub.db import Database
from hub.models.outbox import OutboxMessage, OutboxStatus
from hub.services import Services
from hub.services.channels.mail import Email
from hub.settings import Settings
from tests.support.network import free_port


class Server:
    def __init__(self, reply: str = "250 OK") -> None:
        self.reply = reply
        self.received: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.reply.startswith("250"):
            parsed = message_from_bytes(envelope.content, policy=default_policy)
            assert isinstance(parsed, EmailMessage)
            self.received.append(parsed)
        return self.reply


@pytest.fixture
def server() -> Iterator[tuple[Server, int]]:
    handler, port = Server(), free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


def mail_settings(mongo_uri: str, database: Database, tmp_path: Path, port: int) -> Settings:
    return Settings(
        _env_file=None,
        mongodb_uri=SecretStr(mongo_uri),
        db_name=database.name,
        data_dir=tmp_path / "data",
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_starttls=False,
        smtp_from="hub@example.org",
    )


EMAIL = Email(
    to="ana@example.org",
    subject="Verify your address",
    text="Open the link to verify.",
    html="<p>Open the link to verify.</p>",
    headers={"X-Hub-Kind": "verification"},
)


async def test_a_queued_email_is_sent_once_with_its_parts(
    mongo_uri: str, database: Database, tmp_path: Path, clock: FrozenClock,
    server: tuple[Server, int],
) -> None:  # fmt: skip
    handler, port = server
    services = Services.build(mail_settings(mongo_uri, database, tmp_path, port), clock)

    first = await services.mail.queue(EMAIL, "verify:1", ["user-1"])
    again = await services.mail.queue(EMAIL, "verify:1", ["user-1"])
    await services.dispatcher.run_once()
    await services.dispatcher.run_once()

    assert (first, again) == (True, False)
    assert len(handler.received) == 1
    sent = handler.received[0]
    assert (sent["To"], sent["From"], sent["Subject"]) == (
        "ana@example.org",
        "hub@example.org",
        "Verify your address",
    )
    assert sent["X-Hub-Kind"] == "verification"
    assert sent.get_body(("plain",)).get_content().strip() == "Open the link to verify."  # type: ignore[union-attr]
    assert "<p>Open the link" in sent.get_body(("html",)).get_content()  # type: ignore[union-attr]
    stored = await OutboxMessage.find_one()
    assert stored is not None and stored.status is OutboxStatus.DELIVERED
    # Delivered, it keeps neither the address, the text nor whom it was about
    assert (stored.channel, stored.subject_ids, stored.payload) == ("smtp", [], {})


async def test_a_server_that_is_down_means_a_retry(
    mongo_uri: str, database: Database, tmp_path: Path, clock: FrozenClock
) -> None:
    services = Services.build(mail_settings(mongo_uri, database, tmp_path, free_port()), clock)
    await services.mail.queue(EMAIL, "verify:2")

    await services.dispatcher.run_once()

    stored = await OutboxMessage.find_one()
    assert stored is not None
    assert stored.status is OutboxStatus.PENDING and stored.attempts == 1
    assert stored.last_error is not None and "ana@" not in stored.last_error
    assert stored.next_attempt_at > clock.now()


async def test_a_refused_message_is_given_up(
    mongo_uri: str, database: Database, tmp_path: Path, clock: FrozenClock,
    server: tuple[Server, int],
) -> None:  # fmt: skip
    handler, port = server
    handler.reply = "550 Mailbox unavailable"
    services = Services.build(mail_settings(mongo_uri, database, tmp_path, port), clock)
    await services.mail.queue(EMAIL, "verify:3")

    await services.dispatcher.run_once()

    stored = await OutboxMessage.find_one()
    assert stored is not None
    assert (stored.status, stored.last_error) == (OutboxStatus.FAILED, "SMTP_550")


async def test_without_smtp_settings_emails_wait_in_the_outbox(services: Services) -> None:
    await services.mail.queue(EMAIL, "verify:4")

    attempted = await services.dispatcher.run_once()

    assert attempted == 0
    assert await services.outbox.pending_count("smtp") == 1
