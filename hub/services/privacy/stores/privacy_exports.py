"""The raw queries on `privacy_exports`: stored access and portability exports."""

from __future__ import annotations

from hub.models.privacy_export import PrivacyExport
from hub.services.platform.store import CollectionStore

STORE = CollectionStore(PrivacyExport)
