"""The erasure ledger: every erasure and objection, as the keyed hashes of the person's
identities (never the identities) and the reason.

It is kept twice: as an append-only file in the data folder (one JSON line per entry,
mode 600), which a restore of the database does not roll back, and as the
`erasure_ledger` collection. After a backup of the database is restored, the entries
in the file that the database lacks say that people erased since the backup are back;
`LedgerReapply` (in `hub.services.privacy.ledger_reapply`) erases them again."""

from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from hub.clock import Clock
from hub.models.ledger import ErasureLedgerEntry
from hub.models.suppression import SuppressionReason
from hub.services.privacy.stores import erasure_ledger, suppressions
from hub.services.privacy.suppression import PERMANENT

log = logging.getLogger("hub.privacy")


@dataclass(frozen=True)
class LedgerLine:
    """One entry, as the file and the collection both hold it."""

    entry_id: str
    identity_hmacs: tuple[str, ...]
    reason: SuppressionReason
    erase: bool
    recorded_at: datetime

    def to_json(self) -> str:
        return json.dumps(
            {
                "id": self.entry_id,
                "hmacs": list(self.identity_hmacs),
                "reason": self.reason.value,
                "erase": self.erase,
                "at": self.recorded_at.isoformat(),
            },
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str) -> LedgerLine:
        raw = json.loads(text)
        return cls(
            entry_id=str(raw["id"]),
            identity_hmacs=tuple(str(digest) for digest in raw["hmacs"]),
            reason=SuppressionReason(raw["reason"]),
            erase=bool(raw["erase"]),
            recorded_at=datetime.fromisoformat(raw["at"]),
        )

    @classmethod
    def from_document(cls, document: ErasureLedgerEntry) -> LedgerLine:
        return cls(
            entry_id=document.entry_id,
            identity_hmacs=tuple(document.identity_hmacs),
            reason=document.reason,
            erase=document.erase,
            recorded_at=document.recorded_at,
        )

    def document(self) -> dict[str, object]:
        return {
            "entry_id": self.entry_id,
            "identity_hmacs": list(self.identity_hmacs),
            "reason": self.reason.value,
            "erase": self.erase,
            "recorded_at": self.recorded_at,
        }


def entry_id(hashes: list[str], reason: SuppressionReason, erase: bool) -> str:
    """The same entry always gets the same id, so recording it twice is once."""
    text = "|".join([reason.value, str(erase), *sorted(hashes)])
    return hashlib.sha256(text.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class LedgerState:
    """How the file and the database compare; counts only."""

    file_entries: int
    database_entries: int
    missing_in_database: int
    missing_in_file: int
    suppressions_missing: int

    @property
    def restore_detected(self) -> bool:
        """The database lacks what the file says happened: it was restored (or the
        suppression list was changed behind the hub's back)."""
        return self.missing_in_database > 0 or self.suppressions_missing > 0

    @property
    def in_step(self) -> bool:
        return not self.restore_detected and self.missing_in_file == 0


class ErasureLedger:
    """Records erasures and objections in the file and the collection."""

    def __init__(self, clock: Clock, path: Path) -> None:
        self.clock = clock
        self.path = path

    async def record(
        self, hashes: list[str], reason: SuppressionReason, erase: bool = True
    ) -> bool:
        """Record that the person with these keyed hashes was erased (or objected).
        Hashes the ledger holds already are left out; returns whether an entry was
        written. The file first: it is the copy a restore does not roll back."""
        wanted = sorted(set(hashes))
        if not wanted:
            return False
        known = await erasure_ledger.hashes_recorded(wanted, erase)
        fresh = [digest for digest in wanted if digest not in known]
        if not fresh:
            return False
        line = LedgerLine(
            entry_id(fresh, reason, erase), tuple(fresh), reason, erase, self.clock.now()
        )
        self.append(line)
        await self._store([line])
        log.info("erasure ledger: entry %s recorded (%s)", line.entry_id, reason.value)
        return True

    def append(self, line: LedgerLine) -> None:
        """Append one line to the file and flush it to disk."""
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        descriptor = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        with os.fdopen(descriptor, "a", encoding="utf-8") as file:
            file.write(line.to_json() + "\n")
            file.flush()
            os.fsync(file.fileno())

    def read_file(self) -> list[LedgerLine]:
        """The file's entries, each once; a torn last line (a crash while writing)
        is skipped."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        found: dict[str, LedgerLine] = {}
        for number, raw in enumerate(text.splitlines(), start=1):
            if not raw.strip():
                continue
            try:
                line = LedgerLine.from_json(raw)
            except (ValueError, KeyError, TypeError):
                log.warning("erasure ledger: line %d of the file is unreadable; skipped", number)
                continue
            found.setdefault(line.entry_id, line)
        return list(found.values())

    async def read_database(self) -> list[LedgerLine]:
        return [
            LedgerLine.from_document(document)
            for document in await ErasureLedgerEntry.find_all().to_list()
        ]

    async def entries(self) -> list[LedgerLine]:
        """Every entry the file or the database holds, each once."""
        found = {line.entry_id: line for line in await self.read_database()}
        for line in self.read_file():
            found.setdefault(line.entry_id, line)
        return sorted(found.values(), key=lambda line: (line.recorded_at, line.entry_id))

    async def state(self) -> LedgerState:
        in_file = {line.entry_id: line for line in self.read_file()}
        in_database = {line.entry_id: line for line in await self.read_database()}
        hashes = {
            digest
            for line in [*in_file.values(), *in_database.values()]
            for digest in line.identity_hmacs
        }
        suppressed = 0
        if hashes:
            suppressed = len(await suppressions.listed_hashes(sorted(hashes), list(PERMANENT)))
        return LedgerState(
            file_entries=len(in_file),
            database_entries=len(in_database),
            missing_in_database=len(in_file.keys() - in_database.keys()),
            missing_in_file=len(in_database.keys() - in_file.keys()),
            suppressions_missing=len(hashes) - suppressed,
        )

    async def mirror(self) -> tuple[int, int]:
        """Make the file and the collection hold the same entries; returns how many
        were added to the database and to the file."""
        in_file = {line.entry_id: line for line in self.read_file()}
        in_database = {line.entry_id: line for line in await self.read_database()}
        to_database = [line for key, line in in_file.items() if key not in in_database]
        to_file = [line for key, line in in_database.items() if key not in in_file]
        for line in sorted(to_file, key=lambda line: line.recorded_at):
            self.append(line)
        added = await self._store(to_database)
        return added, len(to_file)

    async def _store(self, lines: list[LedgerLine]) -> int:
        if not lines:
            return 0
        return await erasure_ledger.add_missing([line.document() for line in lines])
