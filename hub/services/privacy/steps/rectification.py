"""RECTIFICATION: the corrected values applied to every field the registry says
holds them, pending e-mails included, and the person's Slack messages rebuilt."""

from __future__ import annotations

from hub.errors import Conflict, ErrorCode
from hub.models.outbox import OutboxMessage
from hub.models.privacy import Corrections, RightsRequest, RightsRequestType
from hub.services.channels.mail import EMAIL_KIND
from hub.services.platform.stores import outbox
from hub.services.privacy.free_text import MIN_QUOTED_LENGTH
from hub.services.privacy.identity import normalize_email
from hub.services.privacy.registry import Rectifies, subject_entries
from hub.services.privacy.steps.base import Outcome, RequestHandler, StepResult
from hub.services.privacy.steps.erasure import redact_quotes
from hub.services.privacy.subject_hooks import Counts
from hub.services.privacy.subjects import Identity, subject_filter
from hub.services.stores import store_for


def _replaced_terms(identity: Identity, corrections: Corrections) -> list[str]:
    """The person's e-mail addresses and usernames that a rectification replaces."""
    terms: list[str] = []
    if corrections.email is not None:
        new = normalize_email(corrections.email)
        terms += [
            email
            for email in (*identity.emails, *identity.found_emails)
            if normalize_email(email) != new
        ]
    if corrections.username is not None:
        terms += [name for name in identity.usernames if name != corrections.username]
    return [term for term in terms if len(term) >= MIN_QUOTED_LENGTH]


class RectificationHandler(RequestHandler):
    type = RightsRequestType.RECTIFICATION

    async def run(self, request: RightsRequest, identity: Identity) -> StepResult:
        if request.corrections is None:
            raise Conflict(
                ErrorCode.NOT_EXECUTABLE,
                "The request has no corrections; file them with fileRightsRequest.",
                "id",
            )
        return StepResult(outcome=await self.rectify(identity, request.corrections))

    async def rectify(self, identity: Identity, corrections: Corrections) -> Outcome:
        values = {
            Rectifies.EMAIL: corrections.email,
            Rectifies.USERNAME: corrections.username,
            Rectifies.COMPANY: corrections.company,
            Rectifies.COUNTRY: corrections.country,
        }
        changed: Counts = {}
        for entry in subject_entries():
            query = subject_filter(entry, identity)
            if query is None or entry.model is OutboxMessage:
                continue
            updates = {
                path: values[attribute]
                for attribute, paths in entry.rectifiable().items()
                for path in paths
                if values[attribute] is not None
            }
            if not updates:
                continue
            changed[entry.collection] = await store_for(entry.model).set_where(
                {"$and": [query, {"$or": [{path: {"$ne": v}} for path, v in updates.items()]}]},
                updates,
            )
        if corrections.email is not None and identity.user_ids:
            changed["outbox"] = await outbox.readdress_waiting_mail(
                EMAIL_KIND, list(identity.user_ids), corrections.email
            )
        refreshed = 0
        for user_id in identity.user_ids:
            refreshed += await self.services.follow_ups.refresh_subject(user_id)
        # Stored exports: the person's own hold the uncorrected data; others may quote
        # the old values.
        exports = await self.services.exports.withdraw(
            self.services.hmacs(identity), _replaced_terms(identity, corrections), redact_quotes
        )
        return {
            "rectified": changed,
            "slack": {"follow_ups_refreshed": refreshed},
            "exports": exports,
        }
