"""Configuration, read from `HUB_*` environment variables (and a `.env` file)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every setting of the hub. Built once in the app factory and passed down."""

    model_config = SettingsConfigDict(
        env_prefix="HUB_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    mongodb_uri: SecretStr | None = Field(
        default=None,
        description=(
            "MongoDB connection string (a replica set or Atlas in production). "
            "When unset, the hub starts an embedded SecantusDB server."
        ),
    )
    db_name: str = Field(default="feedback_hub", description="Database name.")
    data_dir: Path = Field(
        default=Path(".hub-data"),
        description="Folder of the embedded database's files and the demo tokens.",
    )
    embedded_db_port: int = Field(
        default=0,
        ge=0,
        le=65535,
        description="Port of the embedded database on 127.0.0.1; 0 picks a free one.",
    )
    host: str = Field(default="127.0.0.1", description="Address the HTTP server binds to.")
    port: int = Field(default=8000, ge=1, le=65535, description="HTTP port.")
    public_url: str | None = Field(
        default=None,
        description="Address the hub is reached at, used in printed links. "
        "Defaults to http://HOST:PORT.",
    )
    demo_data: bool = Field(
        default=False,
        description="Load demo surveys, responses and tokens when the database is empty.",
    )
    log_level: str = Field(default="INFO", description="Python logging level.")

    global_display_cooldown_days: int = Field(
        default=7,
        ge=0,
        description="Days after any survey was shown to a person before another "
        "survey may be shown to them.",
    )
    global_answer_cooldown_days: int = Field(
        default=30,
        ge=0,
        description="Days after a person answered any survey before another survey "
        "may be shown to them.",
    )

    outbox_poll_seconds: float = Field(
        default=1.0,
        gt=0,
        description="How often the outbox dispatcher looks for due messages when idle.",
    )
    background_workers: bool = Field(
        default=True,
        description="Run the outbox dispatcher and scheduled jobs inside this process.",
    )

    max_query_depth: int = Field(default=10, ge=2, description="Deepest GraphQL query accepted.")
    max_query_tokens: int = Field(
        default=2000, ge=50, description="Most tokens in one GraphQL document."
    )
    max_query_aliases: int = Field(
        default=15, ge=1, description="Most aliases in one GraphQL document."
    )
    max_page_size: int = Field(
        default=100, ge=1, le=1000, description="Largest `first` accepted by connections."
    )

    export_link_seconds: int = Field(
        default=300,
        ge=10,
        le=86400,
        description="How long a response export link from `exportResponses` stays valid.",
    )

    def resolved_public_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")
