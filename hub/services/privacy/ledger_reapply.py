"""Applying the erasure ledger again, after a backup of the database was restored.

Every identifier the database holds (user ids and e-mail addresses, in every
collection the personal-data registry lists) is hashed with the server secret and
looked up in the ledger; each person found is erased again with the same erasure as a
rights request (`PrivacyService.erase`), and every ledger hash is put back on the
suppression list. Running it twice changes nothing the second time."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any

from beanie import Document

from hub.clock import Clock
from hub.errors import Conflict
from hub.models.outbox import RIGHTS_ANSWER_KEY_PREFIX, OutboxMessage
from hub.models.privacy import AuditActor
from hub.services.platform.leases import JobLeases
from hub.services.privacy.audit import AuditService
from hub.services.privacy.erasure_ledger import ErasureLedger, LedgerLine
from hub.services.privacy.execution import Identity, PrivacyService
from hub.services.privacy.registry import subject_entries
from hub.services.privacy.stores import suppressions
from hub.services.privacy.suppression import PERMANENT, SuppressionService
from hub.services.stores import store_for

log = logging.getLogger("hub.privacy")

SYSTEM = AuditActor(key_id=None, role="system", label="erasure ledger reapply")
# Held while the ledger is applied (`JobLeases.exclusive`): one run at a time.
REAPPLY_LEASE = "privacy.ledger-reapply"


@dataclass
class ReapplyReport:
    """What a reapply changed; counts only."""

    ledger_entries: int = 0
    people_erased_again: int = 0
    documents_changed: int = 0
    suppressions_restored: int = 0
    ledger_entries_restored_to_database: int = 0
    ledger_entries_restored_to_file: int = 0
    erased: dict[str, int] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return bool(
            self.people_erased_again
            or self.documents_changed
            or self.suppressions_restored
            or self.ledger_entries_restored_to_database
            or self.ledger_entries_restored_to_file
        )

    def as_dict(self) -> dict[str, object]:
        return {
            "ledger_entries": self.ledger_entries,
            "people_erased_again": self.people_erased_again,
            "documents_changed": self.documents_changed,
            "suppressions_restored": self.suppressions_restored,
            "ledger_entries_restored_to_database": self.ledger_entries_restored_to_database,
            "ledger_entries_restored_to_file": self.ledger_entries_restored_to_file,
            "erased": dict(sorted(self.erased.items())),
        }


@dataclass
class _Found:
    user_ids: set[str] = field(default_factory=set)
    emails: set[str] = field(default_factory=set)


class LedgerReapply:
    """See the module's docstring."""

    def __init__(
        self,
        clock: Clock,
        ledger: ErasureLedger,
        privacy: PrivacyService,
        suppressions: SuppressionService,
        audit: AuditService,
        leases: JobLeases,
    ) -> None:
        self.clock = clock
        self.leases = leases
        self.ledger = ledger
        self.privacy = privacy
        self.suppressions = suppressions
        self.audit = audit

    async def run(self, actor: AuditActor = SYSTEM) -> ReapplyReport:
        """Apply the ledger again. While another run holds REAPPLY_LEASE (another
        process starting, `privacy reapply`, `doctor --fix`) this raises `Conflict`
        (ALREADY_RUNNING)."""
        async with self.leases.exclusive(REAPPLY_LEASE, "Applying the erasure ledger"):
            return await self._run(actor)

    async def _run(self, actor: AuditActor) -> ReapplyReport:
        report = ReapplyReport()
        added_to_database, added_to_file = await self.ledger.mirror()
        report.ledger_entries_restored_to_database = added_to_database
        report.ledger_entries_restored_to_file = added_to_file
        entries = await self.ledger.entries()
        report.ledger_entries = len(entries)
        hashes = sorted({digest for line in entries for digest in line.identity_hmacs})
        listed = 0
        if hashes:
            listed = len(await suppressions.listed_hashes(hashes, list(PERMANENT)))
        report.suppressions_restored = len(hashes) - listed
        found = await self._people(entries)
        for line in entries:
            person = found.get(line.entry_id)
            if person is None or not line.erase:
                continue
            identity = await self._resolve(person)
            outcome = await self.privacy.erase(identity, line.reason)
            changed = 0
            for step in ("erased", "quotes_redacted"):
                for name, count in outcome.get(step, {}).items():
                    key = name if step == "erased" else f"{name} (quotes redacted)"
                    report.erased[key] = report.erased.get(key, 0) + count
                    changed += count
            changed += outcome.get("slack", {}).get("messages_redacted", 0)
            report.documents_changed += changed
            report.people_erased_again += 1
        await self._suppress(entries)  # those the erasures above did not put back
        if report.changed:
            await self.audit.record(
                actor,
                "privacy.ledger_reapplied",
                [],
                hashes,
                {"report": report.as_dict()},
            )
            log.warning(
                "erasure ledger reapplied: %d people erased again, %d documents changed, "
                "%d suppressions restored",
                report.people_erased_again,
                report.documents_changed,
                report.suppressions_restored,
            )
        return report

    async def run_if_restored(self) -> ReapplyReport | None:
        """Reapply when the database lacks entries of the ledger file or their
        suppressions (a restored backup); None when all is in step."""
        state = await self.ledger.state()
        if state.in_step:
            return None
        if state.restore_detected:
            log.warning(
                "erasure ledger: the database lacks %d ledger entries and %d suppressions "
                "of the ledger file; a backup was restored? applying the ledger again",
                state.missing_in_database,
                state.suppressions_missing,
            )
        try:
            return await self.run()
        except Conflict:  # another process, starting at the same time, is applying it
            log.info("erasure ledger: already being applied by another process")
            return None

    async def _people(self, entries: list[LedgerLine]) -> dict[str, _Found]:
        """The stored identifiers whose keyed hash is in a ledger entry, by entry."""
        by_hash = {digest: line.entry_id for line in entries for digest in line.identity_hmacs}
        found: dict[str, _Found] = {}
        if not by_hash:
            return found
        paths: list[tuple[type[Document], str, bool]] = []
        for entry in subject_entries():
            if entry.subject_path:
                paths.append((entry.model, entry.subject_path, False))
            if entry.email_path:
                paths.append((entry.model, entry.email_path, True))
        paths.append((OutboxMessage, "payload.to", True))
        answers = {"key": {"$not": re.compile(f"^{RIGHTS_ANSWER_KEY_PREFIX}:")}}
        for model, path, is_email in paths:
            match: dict[str, Any] = {path: {"$type": "string"}}
            if model is OutboxMessage:  # answers to the person's own requests stay
                match.update(answers)
            cursor = await store_for(model).aggregate(
                [
                    {"$match": match},
                    {"$group": {"_id": f"${path}"}},
                ]
            )
            async for raw in cursor:
                value = raw["_id"]
                if not isinstance(value, str) or not value or value == "anonymous":
                    continue
                hashes = (
                    self.suppressions.hmacs(email=value)
                    if is_email
                    else self.suppressions.hmacs(user_id=value)
                )
                for digest in hashes:
                    key = by_hash.get(digest)
                    if key is None:
                        continue
                    person = found.setdefault(key, _Found())
                    (person.emails if is_email else person.user_ids).add(value)
        return found

    async def _resolve(self, person: _Found) -> Identity:
        """Exactly the identities whose keyed hashes the ledger holds (the ones the
        erasure reached, never others linked to them), with the usernames on their
        records so that quotes of those are redacted again too."""
        user_ids, emails = sorted(person.user_ids), sorted(person.emails)
        usernames: set[str] = set()
        for entry in subject_entries():
            if entry.email_path is None or not entry.subject_path:
                continue
            base = entry.subject_path.rsplit(".", 1)[0]
            clauses: list[dict[str, Any]] = []
            if user_ids:
                clauses.append({entry.subject_path: {"$in": user_ids}})
            if emails:
                clauses.append({entry.email_path: {"$in": emails}})
            async for raw in store_for(entry.model).documents(
                {"$or": clauses}, projection={f"{base}.username": 1}
            ):
                username = (raw.get(base) or {}).get("username")
                if isinstance(username, str) and username:
                    usernames.add(username)
        return Identity(tuple(user_ids), tuple(emails), tuple(sorted(usernames)))

    async def _suppress(self, entries: list[LedgerLine]) -> None:
        """Put every ledger hash back on the suppression list."""
        await suppressions.add(
            [(digest, line.reason.value) for line in entries for digest in line.identity_hmacs],
            self.clock.now(),
        )
