"""Which one-time data migrations have run on this database."""

from __future__ import annotations

from datetime import datetime

from beanie import Document


class SchemaMigration(Document):
    """One document per migration, its id the migration's name: the version that
    last ran to the end, when, and how many documents it changed per collection."""

    id: str  # type: ignore[assignment]
    version: int
    ran_at: datetime
    changed: dict[str, int] = {}

    class Settings:
        name = "schema_migrations"
