"""The raw queries on `audit_log`: the hash-chained audit entries."""

from __future__ import annotations

from hub.models.privacy import AuditEntry
from hub.services.platform.store import CollectionStore

STORE = CollectionStore(AuditEntry)
