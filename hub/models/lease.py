"""A named job lease: which process runs a background job now, and when it is due."""

from __future__ import annotations

from datetime import datetime

from beanie import Document


class JobLease(Document):
    """One document per job, its id the job's name. `owner` holds it until
    `expires_at`; `next_run_at` is when the job is next due."""

    id: str  # type: ignore[assignment]
    owner: str | None = None
    expires_at: datetime
    next_run_at: datetime
    last_run_at: datetime | None = None
    last_owner: str | None = None
    last_error: str | None = None  # an error class, never its text
    runs: int = 0

    class Settings:
        name = "job_leases"
