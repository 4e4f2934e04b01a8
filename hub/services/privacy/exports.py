"""What ACCESS and PORTABILITY requests hand over, and its delivery.

ACCESS: everything held about the person, collection by collection as the registry
lists it, the Slack channels their follow-ups were posted to, and the processing
information (purposes, legal basis, categories, recipients, retention, source).
PORTABILITY: what the person provided (scores and comments, with survey and time),
as JSON and as CSV.

Exports are deliveries, not archives: an executed request's export is stored in
`privacy_exports` until each of its formats was downloaded once through a single-use
link, or until HUB_EXPORT_KEEP_HOURS are up, whichever comes first. Erasure and
rectification withdraw the exports about the person and rewrite those quoting them."""

from __future__ import annotations

import csv
import io
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from hub.clock import Clock
from hub.errors import Conflict, ErrorCode, ValidationFailed
from hub.models.privacy import RightsRequest, RightsRequestType
from hub.models.privacy_export import PrivacyExport
from hub.services.followups.stores import follow_ups
from hub.services.platform.tokens import Purpose, SignedTokens, invalid
from hub.services.privacy.processing import processing_information
from hub.services.privacy.registry import subject_entries
from hub.services.privacy.stores import privacy_exports, rights_requests
from hub.services.privacy.subjects import Identity, subject_filter
from hub.services.privacy.third_parties import redact_comments, redact_export_data, rewrite_strings
from hub.services.stores import store_for
from hub.services.widget.stores import responses
from hub.settings import Settings

log = logging.getLogger("hub.privacy")

# The formats each kind of export is delivered in; each is delivered once.
FORMATS = {
    RightsRequestType.ACCESS: ("json",),
    RightsRequestType.PORTABILITY: ("json", "csv"),
}
SUBJECT = "subject"
OFFICER = "officer"
GONE = (
    "The export is no longer available: it was downloaded, has expired, or was "
    "withdrawn after a change to the data it held."
)
PORTABLE_FIELDS = ["survey_key", "metric", "score", "comment", "answered_at", "commented_at"]


def _plain(value: Any) -> Any:
    """A stored document as JSON-ready values (ids and times as strings)."""
    return json.loads(json.dumps(value, default=str))


@dataclass(frozen=True)
class ExportLinkClaim:
    """What a signed export link stands for."""

    request_id: str
    format: str
    for_subject: bool  # sent to the person the export is about
    requested_by: str  # the officer's API key id, or "subject"


@dataclass(frozen=True)
class Delivery:
    """One format of an export, handed over once."""

    claim: ExportLinkClaim
    kind: RightsRequestType
    data: dict[str, Any]
    subject_hmacs: list[str]

    def audit_details(self) -> dict[str, str]:
        """Who asked for the link: ids only, never an identity."""
        return {
            "format": self.claim.format,
            "link_for": SUBJECT if self.claim.for_subject else OFFICER,
            "link_requested_by": self.claim.requested_by,
        }


class PrivacyExports:
    def __init__(self, clock: Clock, settings: Settings, secret: bytes) -> None:
        self.clock = clock
        self.settings = settings
        self._tokens = SignedTokens(secret, clock)

    def processing_information(self, categories: set[str]) -> dict[str, Any]:
        purposes = sorted({entry.purpose for entry in subject_entries()})
        return processing_information(self.settings, purposes, categories)

    async def access(self, user_ids: list[str], emails: list[str]) -> dict[str, Any]:
        """Everything held about the person, with the processing information."""
        data: dict[str, list[Any]] = {}
        categories: set[str] = set()
        for entry in subject_entries():
            # Found as erasure finds them: one query per collection, for everyone
            query = subject_filter(entry, Identity(tuple(user_ids), tuple(emails)))
            if query is None:
                continue
            found = [_plain(raw) async for raw in store_for(entry.model).documents(query)]
            data[entry.collection] = found
            if found:
                categories |= {item.category.value for item in entry.personal}
        await redact_export_data(data, user_ids, emails)
        channels: set[str] = set()
        if user_ids:
            async for raw in follow_ups.post_channels_of(user_ids):
                channels |= {post["channel_id"] for post in raw.get("posts", [])}
        return {
            "generated_at": self.clock.now().isoformat(),
            "subject": {"user_ids": user_ids, "emails": emails},
            "data": data,
            "slack_channels": sorted(channels),
            "processing": self.processing_information(categories),
        }

    async def portability(self, user_ids: list[str], emails: list[str]) -> dict[str, Any]:
        """What the person provided: their scores and comments."""
        rows = []
        usernames: set[str] = set()
        async for raw in responses.of_people_oldest_first(user_ids, emails):
            rows.append(_plain({name: raw.get(name) for name in PORTABLE_FIELDS}))
            if raw.get("user", {}).get("username"):
                usernames.add(raw["user"]["username"])
        await redact_comments(rows, user_ids, emails, usernames)
        return {"generated_at": self.clock.now().isoformat(), "responses": rows}

    @staticmethod
    def portability_csv(export: dict[str, Any]) -> str:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=PORTABLE_FIELDS, lineterminator="\n")
        writer.writeheader()
        for row in export.get("responses", []):
            writer.writerow({name: "" if row.get(name) is None else row[name] for name in row})
        return buffer.getvalue()

    # -- storing and delivering

    async def store(
        self,
        request_id: str,
        kind: RightsRequestType,
        data: dict[str, Any],
        subject_hmacs: list[str],
    ) -> PrivacyExport:
        """Keep an executed request's export for its delivery: until every format was
        downloaded once, or for HUB_EXPORT_KEEP_HOURS."""
        now = self.clock.now()
        export = PrivacyExport(
            request_id=request_id,
            kind=kind,
            data=data,
            formats=list(FORMATS[kind]),
            subject_hmacs=sorted(set(subject_hmacs)),
            created_at=now,
            expires_at=now + timedelta(hours=self.settings.export_keep_hours),
        )
        await privacy_exports.keep(
            request_id, export.model_dump(mode="python", exclude={"id", "revision_id"})
        )
        return export

    async def create_link(
        self, request: RightsRequest, fmt: str, requested_by: str | None
    ) -> tuple[str, datetime]:
        """A single-use link to one format of the request's stored export, for the
        officer `requested_by` (an API key id). It works for HUB_EXPORT_LINK_HOURS, never
        beyond the export's expiry."""
        formats = FORMATS.get(request.type)
        if formats is None or request.executed_at is None:
            raise Conflict(ErrorCode.NOT_EXECUTABLE, "The request has no export.", "id")
        if fmt not in formats:
            raise ValidationFailed(
                ErrorCode.INVALID_INPUT, f"Use {' or '.join(formats)}.", "format"
            )
        raw = await privacy_exports.formats_left(str(request.id), self.clock.now())
        if raw is None or fmt not in raw["formats"]:
            raise Conflict(ErrorCode.EXPORT_GONE, GONE, "id")
        return self.link(
            str(request.id), fmt, requested_by=requested_by, not_after=raw["expires_at"]
        )

    async def deliver(self, token: str) -> Delivery:
        """Hand over what a link stands for, once: the format is taken off the stored
        export in one atomic step (of two downloads at once, one gets it), and the
        export is purged when no format is left. LINK_INVALID, LINK_EXPIRED or
        EXPORT_GONE otherwise."""
        claim = self.claim(token)
        raw = await privacy_exports.take_format(claim.request_id, claim.format, self.clock.now())
        if raw is None:
            raise Conflict(ErrorCode.EXPORT_GONE, GONE)
        if raw["formats"] == [claim.format]:
            await privacy_exports.delete_if_used_up(raw["_id"])
        return Delivery(
            claim=claim,
            kind=RightsRequestType(raw["kind"]),
            data=raw["data"],
            subject_hmacs=list(raw.get("subject_hmacs", [])),
        )

    async def purge_expired(self) -> int:
        """Delete the exports whose time is up (the TTL index does it too, but only
        about once a minute and by the database's clock)."""
        return await privacy_exports.delete_expired(self.clock.now())

    async def withdraw(
        self,
        subject_hmacs: list[str],
        terms: list[str],
        redact: Callable[[str, list[str]], str],
    ) -> dict[str, int]:
        """After an erasure or rectification: delete the stored exports about the
        person (by their keyed hashes) and rewrite the others that quote them, each
        string through `redact` with the person's `terms`."""
        withdrawn = 0
        if subject_hmacs:
            withdrawn = await privacy_exports.delete_about(subject_hmacs)
        rewritten = 0
        if terms:
            async for raw in privacy_exports.all_data():
                data = rewrite_strings(raw["data"], lambda text: redact(text, terms))
                if data != raw["data"]:
                    await privacy_exports.set_data(raw["_id"], data)
                    rewritten += 1
        return {"withdrawn": withdrawn, "rewritten": rewritten}

    async def clean_up(self) -> int:
        """At start: purge expired exports, and remove the exports that earlier versions
        kept on the rights requests themselves; returns how many of those there were."""
        await self.purge_expired()
        legacy = await rights_requests.drop_legacy_exports()
        if legacy:
            log.info("removed %d exports kept on rights requests", legacy)
        return legacy

    # -- links

    def link(
        self,
        request_id: str,
        fmt: str,
        *,
        for_subject: bool = False,
        requested_by: str | None = None,
        not_after: datetime | None = None,
    ) -> tuple[str, datetime]:
        """A single-use download URL for one format of the request's export that works
        for HUB_EXPORT_LINK_HOURS (and no longer than the export is kept). A link
        `for_subject` is for the person the export is about, sent to their verified
        address: opening it asks them to confirm before the download. `requested_by`
        is the officer's API key id, named in the download's audit entry."""
        if fmt not in ("json", "csv"):
            raise ValidationFailed(ErrorCode.INVALID_INPUT, "Use json or csv.", "format")
        expires = self.clock.now() + timedelta(hours=self.settings.export_link_hours)
        if not_after is not None:
            expires = min(expires, not_after)
        token = self._tokens.issue(
            Purpose.PRIVACY_EXPORT,
            {
                "request": request_id,
                "format": fmt,
                "for": SUBJECT if for_subject else OFFICER,
                "by": SUBJECT if for_subject and requested_by is None else requested_by,
            },
            expires,
        )
        return f"{self.settings.resolved_public_url()}/exports/{token}", expires

    def claim(self, token: str) -> ExportLinkClaim:
        """What a link stands for; LINK_EXPIRED or LINK_INVALID."""
        # Links made before signed tokens had one expiry field said "expires".
        payload = self._tokens.open(Purpose.PRIVACY_EXPORT, token, previous_expiry="expires")
        if "request" not in payload or "format" not in payload:
            raise invalid()
        return ExportLinkClaim(
            request_id=str(payload["request"]),
            format=str(payload["format"]),
            for_subject=payload.get("for") == SUBJECT,
            requested_by=str(payload.get("by") or "unknown"),
        )

    def open_link(self, token: str) -> tuple[str, str]:
        """The request id and format a link stands for; LINK_EXPIRED or LINK_INVALID."""
        claim = self.claim(token)
        return claim.request_id, claim.format
