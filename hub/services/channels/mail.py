"""E-mail: queued through the outbox with the change that causes it, and sent over
SMTP by the dispatcher, so a mail server that is down delays mail but loses none.

Generic on purpose: invitations, verification e-mails and any later notice use the
same `MailService.queue`, and the dispatcher delivers every kind the same way.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formatdate

import aiosmtplib
from pymongo.asynchronous.client_session import AsyncClientSession

from hub.models.outbox import OutboxMessage
from hub.services.platform.outbox import Delivered, GiveUp, OutboxService, Outcome, RetryLater
from hub.settings import Settings

log = logging.getLogger(__name__)

EMAIL_KIND = "email"
SMTP_CHANNEL = "smtp"


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    text: str
    html: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


def build_message(email: Email, sender: str, key: str) -> EmailMessage:
    """The MIME message; its Message-ID is derived from the outbox key, so a retried
    delivery carries the same id and receivers can drop the duplicate."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = email.to
    message["Subject"] = email.subject
    message["Date"] = formatdate(localtime=False, usegmt=True)
    domain = sender.rpartition("@")[2] or "localhost"
    message["Message-ID"] = f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@{domain}>"
    message.set_content(email.text)
    if email.html is not None:
        message.add_alternative(email.html, subtype="html")
    # After the content, which would drop Content-* headers such as Content-Language.
    for name, value in email.headers.items():
        message[name] = value
    return message


class MailService:
    def __init__(self, outbox: OutboxService, settings: Settings) -> None:
        self.outbox = outbox
        self.settings = settings

    @property
    def configured(self) -> bool:
        return self.settings.smtp_host is not None

    async def queue(
        self,
        email: Email,
        key: str,
        subject_ids: list[str] | None = None,
        session: AsyncClientSession | None = None,
    ) -> bool:
        """Queue an e-mail; False if one with the same key was queued before.
        `subject_ids` are the user ids of the people it is about (for erasure)."""
        payload = {
            "to": email.to,
            "subject": email.subject,
            "text": email.text,
            "html": email.html,
            "headers": dict(email.headers),
        }
        return await self.outbox.enqueue(
            kind=EMAIL_KIND,
            key=key,
            channel=SMTP_CHANNEL,
            payload=payload,
            subject_ids=subject_ids,
            session=session,
        )

    async def deliver(self, message: OutboxMessage) -> Outcome:
        """The dispatcher's handler for e-mails: one SMTP transaction per message."""
        payload = message.payload
        email = Email(
            to=payload["to"],
            subject=payload["subject"],
            text=payload["text"],
            html=payload.get("html"),
            headers=payload.get("headers") or {},
        )
        settings = self.settings
        mime = build_message(email, settings.smtp_from, message.key)
        try:
            await aiosmtplib.send(
                mime,
                hostname=settings.smtp_host,
                port=settings.smtp_port,
                username=settings.smtp_user,
                password=(
                    settings.smtp_password.get_secret_value() if settings.smtp_password else None
                ),
                start_tls=settings.smtp_starttls,
                timeout=settings.smtp_timeout_seconds,
            )
        except aiosmtplib.SMTPResponseException as error:
            # 5xx is permanent (unknown mailbox, refused); 4xx is worth another try.
            if 500 <= error.code < 600:
                return GiveUp(error=f"SMTP_{error.code}")
            return RetryLater(error=f"SMTP_{error.code}")
        except aiosmtplib.SMTPRecipientsRefused:
            return GiveUp(error="SMTP_RECIPIENT_REFUSED")
        except (aiosmtplib.SMTPException, OSError) as error:
            log.warning(
                "smtp delivery of outbox message %s failed: %s", message.id, type(error).__name__
            )
            return RetryLater(error=type(error).__name__, after=timedelta(seconds=30))
        return Delivered()
