"""The audit log of privacy operations: append-only and hash-chained.

Each entry carries the keyed hash (HMAC with the server secret) of its own content
and of the entry before it; a head document, moved in the same transaction as each
append, holds the newest number and hash. Changing, removing or inserting an entry
breaks the chain at that entry, and removing the newest ones no longer matches the head.
Entries hold ids and keyed hashes only, never a raw identity."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import DuplicateKeyError, OperationFailure

from hub.clock import Clock
from hub.db import in_transaction
from hub.models.privacy import AuditActor, AuditEntry, AuditHead
from hub.services.access.keys import Principal
from hub.services.platform import paging
from hub.services.privacy.stores import audit_head, audit_log

log = logging.getLogger("hub.audit")

GENESIS = "0" * 64
SYSTEM = AuditActor(key_id=None, role="system", label="feedback-hub")


class _HeadMoved(Exception):
    """Another append moved the head first."""


def actor_of(principal: Principal | None) -> AuditActor:
    if principal is None:
        return SYSTEM
    return AuditActor(key_id=principal.key_id, role=principal.role.value, label=principal.label)


@dataclass(frozen=True)
class AuditVerification:
    ok: bool
    entries: int
    first_broken_seq: int | None = None
    problem: str | None = None


def _time(value: datetime) -> str:
    return value.isoformat(timespec="milliseconds")


class AuditService:
    def __init__(self, clock: Clock, secret: bytes) -> None:
        self.clock = clock
        self._key = hmac.new(secret, b"audit-log", hashlib.sha256).digest()

    def _hash(self, entry: AuditEntry) -> str:
        content = {
            "seq": entry.seq,
            "at": _time(entry.at),
            "actor": entry.actor.model_dump(),
            "action": entry.action,
            "target_ids": entry.target_ids,
            "subject_hmacs": entry.subject_hmacs,
            "details": entry.details,
            "previous_hash": entry.previous_hash,
        }
        canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
        return hmac.new(self._key, canonical.encode(), hashlib.sha256).hexdigest()

    async def record(
        self,
        actor: AuditActor,
        action: str,
        target_ids: list[str] | None = None,
        subject_hmacs: list[str] | None = None,
        details: dict[str, Any] | None = None,
    ) -> AuditEntry:
        """Append one entry. Concurrent appends are serialised by the head document:
        the one that loses the race reads the new head and tries again."""
        client = audit_log.STORE.client()
        for _ in range(50):
            head = await AuditHead.find_one(AuditHead.key == "head")
            entry = AuditEntry(
                seq=(head.seq + 1) if head else 1,
                at=self.clock.now(),
                actor=actor,
                action=action,
                target_ids=target_ids or [],
                subject_hmacs=subject_hmacs or [],
                details=details or {},
                previous_hash=head.hash if head else GENESIS,
                hash="",
            )
            entry.hash = self._hash(entry)

            async def work(session: AsyncClientSession, entry: AuditEntry = entry) -> None:
                if entry.seq == 1:
                    await audit_head.start(entry.hash, session)
                elif not await audit_head.move(entry.seq, entry.hash, session):
                    raise _HeadMoved
                await entry.insert(session=session)

            try:
                await in_transaction(client, work)
            except (_HeadMoved, DuplicateKeyError):
                continue
            except OperationFailure as error:
                if error.code != 112:  # a write conflict: another append won
                    raise
                continue
            log.info("audit entry %d: %s", entry.seq, action)
            return entry
        raise RuntimeError("audit log: could not append after repeated conflicts")

    async def verify(self) -> AuditVerification:
        """Walk the chain from the first entry; report the first entry that does not
        hold together (changed, removed, inserted) or a head that the chain does not reach."""
        expected_seq = 1
        previous = GENESIS
        count = 0
        async for raw in audit_log.in_order():
            entry = AuditEntry.model_validate(raw)
            count += 1
            if entry.seq != expected_seq:
                return AuditVerification(False, count, expected_seq, "missing entry")
            if entry.previous_hash != previous:
                return AuditVerification(False, count, entry.seq, "previous hash differs")
            if not hmac.compare_digest(entry.hash, self._hash(entry)):
                return AuditVerification(False, count, entry.seq, "entry changed")
            previous = entry.hash
            expected_seq += 1
        head = await AuditHead.find_one(AuditHead.key == "head")
        last = expected_seq - 1
        if head is None and last == 0:
            return AuditVerification(True, 0)
        if head is None or head.seq != last or head.hash != previous:
            return AuditVerification(False, count, last + 1, "newest entries missing")
        return AuditVerification(True, count)

    async def entries(
        self,
        action: str | None = None,
        target_id: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 100,
    ) -> list[AuditEntry]:
        query = _entries_query(action, target_id, since, until)
        return await audit_log.newest(query, max(1, min(limit, 1000)))

    async def page_entries(
        self,
        max_page_size: int,
        action: str | None = None,
        target_id: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        first: int = 100,
        after: str | None = None,
    ) -> paging.Page[AuditEntry]:
        """Entries, newest first, `first` at a time after the cursor `after`."""
        return await paging.page(
            AuditEntry,
            _entries_query(action, target_id, since, until),
            [paging.SortKey("seq", ascending=False)],
            lambda entry: [entry.seq],
            first,
            after,
            max_page_size,
        )


def _entries_query(
    action: str | None, target_id: str | None, since: datetime | None, until: datetime | None
) -> dict[str, Any]:
    query: dict[str, Any] = {}
    if action is not None:
        query["action"] = action
    if target_id is not None:
        query["target_ids"] = target_id
    if since is not None or until is not None:
        query["at"] = {
            **({"$gte": since} if since else {}),
            **({"$lt": until} if until else {}),
        }
    return query
