"""Fixtures of the channel tests: a real SMTP server (aiosmtpd) on 127.0.0.1 and
settings that send e-mail to it."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr

from hub.db import Database
from hub.settings import Settings
from tests.support.mail import PUBLIC_URL, Mailbox, mailbox, smtp

__all__ = ["mailbox", "settings", "smtp"]


@pytest.fixture
def settings(
    mongo_uri: str, database: Database, tmp_path: Path, smtp: tuple[Mailbox, int]
) -> Settings:
    return Settings(
        _env_file=None,
        mongodb_uri=SecretStr(mongo_uri),
        db_name=database.name,
        data_dir=tmp_path / "data",
        public_url=PUBLIC_URL,
        smtp_host="127.0.0.1",
        smtp_port=smtp[1],
        smtp_starttls=False,
        smtp_from="feedback@hub.test",
        background_workers=False,
        cors_origins=["https://app.example.org"],
    )
