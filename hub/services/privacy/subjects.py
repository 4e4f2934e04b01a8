"""Whom a rights request reaches, and how their documents are found in each
collection: one definition for erasure, rectification, restriction, access exports
and the officer's view of a request's identities."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from hub.models.outbox import RIGHTS_ANSWER_KEY_PREFIX, OutboxMessage
from hub.models.privacy import RightsRequest
from hub.services.privacy.free_text import MIN_QUOTED_LENGTH
from hub.services.privacy.registry import CollectionEntry


@dataclass(frozen=True)
class Identity:
    """Everything that names one person, as far as a request may reach: the
    identities bound to it, and the usernames and addresses found on their records
    (quotes of those are redacted and rectified; records carrying only them are not
    reached)."""

    user_ids: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    usernames: tuple[str, ...] = ()
    found_emails: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.user_ids and not self.emails

    def quoted_terms(self) -> list[str]:
        terms = {*self.emails, *self.found_emails, *self.user_ids, *self.usernames}
        return sorted(
            (term for term in terms if len(term) >= MIN_QUOTED_LENGTH), key=len, reverse=True
        )


def subject_filter(entry: CollectionEntry, identity: Identity) -> dict[str, Any] | None:
    """The query that finds the identity's documents in one collection."""
    clauses: list[dict[str, Any]] = []
    if entry.subject_path and identity.user_ids:
        clauses.append({entry.subject_path: {"$in": list(identity.user_ids)}})
    if entry.email_path and identity.emails:
        clauses.append({entry.email_path: {"$in": list(identity.emails)}})
    if entry.model is OutboxMessage and identity.emails:
        clauses.append({"payload.to": {"$in": list(identity.emails)}})
    if entry.model is RightsRequest:  # identities an officer confirmed on a request
        if identity.user_ids:
            clauses.append({"confirmed_user_ids": {"$in": list(identity.user_ids)}})
        if identity.emails:
            clauses.append({"confirmed_emails": {"$in": list(identity.emails)}})
    if not clauses:
        return None
    query = clauses[0] if len(clauses) == 1 else {"$or": clauses}
    if entry.model is OutboxMessage:  # answers to the person's own requests stay
        return {"$and": [query, {"key": {"$not": re.compile(f"^{RIGHTS_ANSWER_KEY_PREFIX}:")}}]}
    return query
