"""The raw queries on `audit_head`: the head of the audit chain."""

from __future__ import annotations

from hub.models.privacy import AuditHead
from hub.services.platform.store import CollectionStore

STORE = CollectionStore(AuditHead)
