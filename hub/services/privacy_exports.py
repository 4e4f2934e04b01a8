"""What ACCESS and PORTABILITY requests hand over, and the expiring links to it.

ACCESS: everything held about the person, collection by collection as the registry
lists it, the Slack channels their follow-ups were posted to, and the processing
information (purposes, legal basis, categories, recipients, retention, source).
PORTABILITY: what the person provided (scores and comments, with survey and time),
as JSON and as CSV."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer

from hub.clock import Clock
from hub.errors import ErrorCode, ValidationFailed
from hub.models.followup import FollowUp
from hub.models.response import Response
from hub.services.privacy_processing import processing_information
from hub.services.privacy_registry import CollectionEntry, subject_entries
from hub.settings import Settings

PORTABLE_FIELDS = ["survey_key", "metric", "score", "comment", "answered_at", "commented_at"]


def _plain(value: Any) -> Any:
    """A stored document as JSON-ready values (ids and times as strings)."""
    return json.loads(json.dumps(value, default=str))


def _subject_query(entry: CollectionEntry, user_ids: list[str], emails: list[str]) -> Any:
    clauses: list[dict[str, Any]] = []
    if entry.subject_path and user_ids:
        clauses.append({entry.subject_path: {"$in": user_ids}})
    if entry.email_path and emails:
        clauses.append({entry.email_path: {"$in": emails}})
    return {"$or": clauses} if clauses else None


class PrivacyExports:
    def __init__(self, clock: Clock, settings: Settings, secret: bytes) -> None:
        self.clock = clock
        self.settings = settings
        self._links = URLSafeSerializer(secret, salt="privacy-export")

    def processing_information(self, categories: set[str]) -> dict[str, Any]:
        purposes = sorted({entry.purpose for entry in subject_entries()})
        return processing_information(self.settings, purposes, categories)

    async def access(self, user_ids: list[str], emails: list[str]) -> dict[str, Any]:
        """Everything held about the person, with the processing information."""
        data: dict[str, list[Any]] = {}
        categories: set[str] = set()
        for entry in subject_entries():
            query = _subject_query(entry, user_ids, emails)
            if query is None:
                continue
            found = [_plain(raw) async for raw in entry.model.get_pymongo_collection().find(query)]
            if entry.collection == "rights_requests":
                for item in found:
                    item.pop("export", None)  # not an export of earlier exports
            data[entry.collection] = found
            if found:
                categories |= {item.category.value for item in entry.personal}
        channels: set[str] = set()
        if user_ids:
            async for raw in FollowUp.get_pymongo_collection().find(
                {"subject_id": {"$in": user_ids}}, projection={"posts.channel_id": 1}
            ):
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
        query: dict[str, Any] = {
            "$or": [{"user.id": {"$in": user_ids}}, {"user.email": {"$in": emails}}]
        }
        rows = []
        async for raw in Response.get_pymongo_collection().find(query).sort("answered_at", 1):
            rows.append(_plain({name: raw.get(name) for name in PORTABLE_FIELDS}))
        return {"generated_at": self.clock.now().isoformat(), "responses": rows}

    @staticmethod
    def portability_csv(export: dict[str, Any]) -> str:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=PORTABLE_FIELDS, lineterminator="\n")
        writer.writeheader()
        for row in export.get("responses", []):
            writer.writerow({name: "" if row.get(name) is None else row[name] for name in row})
        return buffer.getvalue()

    # -- links

    def link(self, request_id: str, fmt: str) -> tuple[str, datetime]:
        """A download URL for the request's export that works for export_link_hours."""
        if fmt not in ("json", "csv"):
            raise ValidationFailed(ErrorCode.INVALID_INPUT, "Use json or csv.", "format")
        expires = self.clock.now() + timedelta(hours=self.settings.export_link_hours)
        token = self._links.dumps(
            {"request": request_id, "format": fmt, "expires": int(expires.timestamp())}
        )
        return f"{self.settings.resolved_public_url()}/exports/{token}", expires

    def open_link(self, token: str) -> tuple[str, str]:
        """The request id and format a link stands for; LINK_EXPIRED or LINK_INVALID."""
        try:
            payload = self._links.loads(token)
            request_id, fmt, expires = payload["request"], payload["format"], payload["expires"]
        except (BadSignature, KeyError, TypeError):
            raise ValidationFailed(ErrorCode.LINK_INVALID, "The link is not valid.") from None
        if self.clock.now().timestamp() > float(expires):
            raise ValidationFailed(ErrorCode.LINK_EXPIRED, "The link has expired.")
        return str(request_id), str(fmt)
