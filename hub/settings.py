"""Configuration, read from `HUB_*` environment variables (and a `.env` file)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from limits import parse
from pydantic import AliasChoices, Field, SecretStr, field_validator
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
    embedded_db_auth: bool = Field(
        default=True,
        description="Run the embedded database with authentication: a user and password "
        "are generated on first start and kept in DATA_DIR/embedded-db-credentials.json "
        "(mode 600, its folder mode 700); the hub and the CLI log in with them. See "
        "docs/privacy/backups-and-storage.md.",
    )
    embedded_oplog_seconds: int = Field(
        default=600,
        ge=60,
        le=86_400,
        description="How long the embedded database keeps its oplog (the log of recent "
        "changes that live events resume from), in seconds. An erased person's data stays "
        "in it at most this long plus a minute: the hub prunes it every minute.",
    )
    db_timeout_ms: int = Field(
        default=5000,
        ge=100,
        description="Time limit of each database operation, finding and connecting to the "
        "database included: once it is spent the hub stops waiting, the server stops the "
        "work (it is sent as maxTimeMS), and the call fails with UNAVAILABLE "
        "(milliseconds). See docs/operations.md, Database time limits.",
    )
    write_timeout_ms: int = Field(
        default=10_000,
        ge=100,
        description="How long a widget write (login, display, score, comment, decline) may "
        "take in all, its reads and its transaction's retries included, before it fails "
        "with UNAVAILABLE (milliseconds). A write given up is aborted on the database, so "
        "trying it again succeeds as soon as the database answers.",
    )
    cache_seconds: float = Field(
        default=5.0,
        ge=0,
        description="How long a process keeps surveys, routing rules and API keys it has "
        "read; a change made through another process (a revoked key, a paused survey, a "
        "new routing rule) applies within this time.",
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
        description="Load demo surveys, responses and tokens when the database is empty "
        "(`make run` turns it on).",
    )
    log_level: str = Field(
        default="INFO",
        description="Python logging level: DEBUG, INFO, WARNING, ERROR or CRITICAL.",
    )
    log_format: Literal["auto", "json", "text"] = Field(
        default="auto",
        description="Log line format: JSON lines, readable text, or auto (text on a "
        "terminal, JSON otherwise).",
    )
    metrics_token: SecretStr | None = Field(
        default=None,
        description="Bearer token that GET /metrics on the main port asks for. Unset: "
        "/metrics is not served on the main port. At least 16 characters.",
    )
    metrics_port: int | None = Field(
        default=None,
        ge=1,
        le=65535,
        description="Serve /metrics without a token on this separate port (bind it to "
        "a private network); it must differ from PORT. Unset: no separate port. Not "
        "with `serve --workers` above 1.",
    )
    job_poll_seconds: float = Field(
        default=30.0,
        gt=0,
        description="How often a hub process looks for scheduled jobs that are due.",
    )

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
    rollup_fold_interval_ms: int = Field(
        default=500,
        ge=10,
        le=60_000,
        description="How long the rollup folder of a hub process with background workers "
        "waits, once a write has woken it, before it folds the changes waiting into the "
        "analytics rollups, so the writes of that moment fold in one batch "
        "(milliseconds); unwoken, it looks every 10 seconds. Figures include the changes "
        "not folded yet, so this bounds the work a dashboard query adds, not how fresh "
        "it is. See docs/analytics.md.",
    )
    theme_suggestion_sample: int = Field(
        default=2000,
        ge=10,
        le=50_000,
        description="Most comments suggestedThemes reads per period, the newest first: "
        "key phrases are extracted from each on the hub's own CPU, so this bounds the work "
        "of one call. See docs/themes.md.",
    )

    theme_tag_interval_ms: int = Field(
        default=500,
        ge=10,
        le=60_000,
        description="How long the theme tagger of a hub process with background workers "
        "waits, once a comment written by that process has woken it, before it tags the "
        "comments waiting, so the comments of that moment are tagged in one batch "
        "(milliseconds); unwoken, it looks every 10 seconds. See docs/themes.md.",
    )

    background_workers: bool = Field(
        default=True,
        description="Run the outbox dispatcher, the rollup folder, the theme tagger, "
        "theme re-tag jobs and scheduled jobs inside this process.",
    )

    slack_bot_token: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("slack_bot_token", "HUB_SLACK_BOT_TOKEN", "SLACK_BOT_TOKEN"),
        description="The Slack bot token (xoxb-...). Without it the hub runs without Slack; "
        "follow-ups still work over GraphQL. Read from SLACK_BOT_TOKEN or HUB_SLACK_BOT_TOKEN.",
    )
    slack_signing_secret: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices(
            "slack_signing_secret", "HUB_SLACK_SIGNING_SECRET", "SLACK_SIGNING_SECRET"
        ),
        description="The Slack app's signing secret; requests to /slack/events are verified "
        "with it. Read from SLACK_SIGNING_SECRET or HUB_SLACK_SIGNING_SECRET.",
    )
    slack_api_url: str = Field(
        default="https://slack.com/api/",
        validation_alias=AliasChoices("slack_api_url", "HUB_SLACK_API_URL", "SLACK_API_URL"),
        description="Address of Slack's Web API; tests and local setups point it elsewhere. "
        "Read from SLACK_API_URL or HUB_SLACK_API_URL.",
    )
    slack_client_id: str | None = Field(
        default=None,
        validation_alias=AliasChoices("slack_client_id", "HUB_SLACK_CLIENT_ID", "SLACK_CLIENT_ID"),
        description='The Slack app\'s client id, for "Sign in with Slack" in the console '
        "(OpenID Connect). With SLACK_CLIENT_SECRET set too, the console offers Slack "
        "sign-in; without them, sign-in is with a personal API key.",
    )
    slack_client_secret: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices(
            "slack_client_secret", "HUB_SLACK_CLIENT_SECRET", "SLACK_CLIENT_SECRET"
        ),
        description="The Slack app's client secret, for the console's Slack sign-in.",
    )
    slack_authorize_url: str = Field(
        default="https://slack.com/openid/connect/authorize",
        description="Where the console sends people to sign in with Slack; tests and local "
        "setups point it elsewhere.",
    )
    slack_team_id: str | None = Field(
        default=None,
        description="The Slack workspace (T0123ABCD) whose people may sign in to the "
        "console. Unset: the workspace of the bot token (auth.test).",
    )
    console_idle_minutes: int = Field(
        default=30,
        ge=1,
        le=24 * 60,
        description="A console session ends after this many minutes without a page.",
    )
    console_session_hours: int = Field(
        default=12,
        ge=1,
        le=24 * 30,
        description="A console session ends this many hours after sign-in, used or not.",
    )
    slack_digest_threshold: int = Field(
        default=10,
        ge=1,
        description="When more than this many follow-ups wait to be posted to one Slack "
        "channel, they are posted together as one digest message.",
    )
    slack_post_gap_seconds: float = Field(
        default=1.0,
        ge=0,
        le=60,
        description="Least time between two posts of new follow-ups to one Slack channel "
        "from one hub process (Slack allows about one message a second per channel). "
        "Keeping to it spares the 429 answers and their whole-second Retry-After; 0 posts "
        "as fast as Slack answers and waits out its 429s.",
    )
    reminder_check_seconds: int = Field(
        default=60,
        ge=1,
        description="How often the hub looks for follow-ups that waited longer than their "
        "routing rule allows (unclaimed, or claimed but unresolved) to remind in Slack.",
    )
    slack_max_body_bytes: int = Field(
        default=1_048_576,
        ge=1024,
        description="Largest request body accepted at /slack/events (bytes); larger ones "
        "get 413, refused before the rest is read. Slack's payloads stay far below it.",
    )
    slack_ops_channel: str | None = Field(
        default=None,
        description="A Slack channel id (C0123ABCD) for the hub's own troubles: when Slack "
        "messages are held (the bot is not in a channel, the token was revoked), this "
        "channel is told once per channel and cause, with the fix. Invite the bot to it.",
    )
    slack_token_check_seconds: int = Field(
        default=300,
        ge=10,
        description="While Slack messages are held because Slack refused the token, how "
        "often the hub checks it again (auth.test); once it works, they go out.",
    )
    slack_user_cache_seconds: int = Field(
        default=86400,
        ge=0,
        description="How long a Slack user's display name (users.info) is kept before it "
        "is looked up again.",
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
    cost_limit_public: int = Field(
        default=500,
        ge=1,
        description="Most a GraphQL request without a valid API key may cost; beyond it "
        'QUERY_TOO_EXPENSIVE, before anything runs (docs/security.md, "Query cost").',
    )
    cost_limit_widget: int = Field(
        default=500,
        ge=1,
        description="Most a GraphQL request with a widget key may cost.",
    )
    cost_limit_viewer: int = Field(
        default=5_000,
        ge=1,
        description="Most a GraphQL request with a viewer key may cost.",
    )
    cost_limit_agent: int = Field(
        default=5_000,
        ge=1,
        description="Most a GraphQL request with an agent key may cost.",
    )
    cost_limit_privacy_officer: int = Field(
        default=5_000,
        ge=1,
        description="Most a GraphQL request with a privacy_officer key may cost.",
    )
    cost_limit_admin: int = Field(
        default=20_000,
        ge=1,
        description="Most a GraphQL request with an admin key may cost.",
    )
    request_timeout_ms: int = Field(
        default=15_000,
        ge=10,
        description="How long a GraphQL query may run before it is stopped and answered "
        "with TIMEOUT (milliseconds). Mutations run to their end.",
    )

    export_link_seconds: int = Field(
        default=300,
        ge=10,
        le=86400,
        description="How long a response export link from `exportResponses` stays valid.",
    )

    secret_key: SecretStr | None = Field(
        default=None,
        description="Server secret that signs survey links and keys the hashes of the "
        "suppression list. When unset, one is generated once and kept in "
        "DATA_DIR/secret-key (set it explicitly when several hub processes serve).",
    )
    erasure_ledger_path: Path | None = Field(
        default=None,
        description="The erasure ledger file (keyed hashes of erased and objecting "
        "people, one JSON line each), kept outside database backups so that "
        "`feedback-hub privacy reapply` can apply erasures again after a restore. "
        "Default: DATA_DIR/erasure-ledger.jsonl.",
    )
    cors_origins: list[str] = Field(
        default_factory=list,
        description="Origins (such as https://app.example.com) whose pages may call "
        "/graphql from the browser, as the embedded banner does, as a JSON list such as "
        '["https://app.example.com"]; ["*"] allows any.',
    )
    link_ttl_days: int = Field(
        default=14, ge=1, le=365, description="Days a survey link or invitation stays valid."
    )
    smtp_host: str | None = Field(
        default=None,
        description="SMTP server that sends e-mail (invitations, verifications, messages "
        "about rights requests). "
        "When unset, e-mails wait in the outbox until it is set.",
    )
    smtp_port: int = Field(default=587, ge=1, le=65535, description="SMTP port.")
    smtp_user: str | None = Field(default=None, description="SMTP login, if the server needs one.")
    smtp_password: SecretStr | None = Field(default=None, description="SMTP password.")
    smtp_from: str = Field(
        default="feedback@localhost", description="The From address of e-mails the hub sends."
    )
    smtp_starttls: bool = Field(
        default=True,
        description="Upgrade the SMTP connection with STARTTLS (turn off only for a local relay).",
    )
    smtp_timeout_seconds: float = Field(
        default=30.0, gt=0, description="How long to wait for the SMTP server."
    )
    retention_days: int | None = Field(
        default=None,
        ge=1,
        le=1096,
        description="The longest time (days) a response keeps its identity; a survey may "
        "set less (setSurveyRetention), never more. Unset: 3 calendar years. Older "
        "responses are anonymised.",
    )
    outbox_retention_days: int = Field(
        default=30,
        ge=1,
        le=1096,
        description="Days a delivered or given-up outbox message is kept (a receipt "
        "with ids and keyed hashes only, which keeps a duplicate from being queued) "
        "before retention deletes it.",
    )
    retention_daily: bool = Field(
        default=True,
        description="Run retention once a day inside the server (one process of several "
        "takes the day's run through a lease in the database).",
    )
    privacy_processors: list[str] = Field(
        default_factory=list,
        description="Processors that handle personal data for you (hosting, e-mail), "
        "as a JSON list, named in access exports as recipients next to the Slack workspace.",
    )
    rights_verification_hours: int = Field(
        default=24,
        ge=1,
        le=168,
        description="Hours the e-mail link that verifies a rights request filed through "
        "the public form (/privacy/request) works; three wrong or expired tries lock "
        "the request.",
    )
    export_link_hours: int = Field(
        default=24,
        ge=1,
        le=168,
        description="Hours a privacy export download link works (never beyond the "
        "export's own expiry, HUB_EXPORT_KEEP_HOURS). Each link delivers once.",
    )
    export_keep_hours: int = Field(
        default=72,
        ge=1,
        le=720,
        description="Hours an executed ACCESS or PORTABILITY export is kept for its "
        "delivery; it is purged when every format was downloaded once or when this "
        "time is up, whichever comes first.",
    )
    privacy_controller_name: str = Field(
        default="The company that delivers the product you are using",
        description="The controller named in access exports' processing information.",
    )
    privacy_controller_contact: str | None = Field(
        default=None,
        description="How to reach the controller about personal data (an address or a "
        "page). Unset: the hub's public request form, PUBLIC_URL/privacy/request.",
    )
    privacy_dpo_contact: str | None = Field(
        default=None,
        description="How to reach the data protection officer, named in access exports. "
        "Unset: the controller's contact.",
    )
    privacy_supervisory_authority: str = Field(
        default="The data protection supervisory authority of the EU/EEA country where "
        "you live or work, or where you think your data-protection rights were infringed",
        description="The supervisory authority access exports name, where the person "
        "may lodge a complaint.",
    )
    privacy_group_companies: str | None = Field(
        default="Other companies of our group, to follow up your feedback for the purposes above",
        description="Recipients within the controller's group named in access exports; "
        "empty for none.",
    )
    privacy_transfers: str = Field(
        default="Processors located outside the EU/EEA in a country without an adequacy "
        "decision of the European Commission, where such processors are used",
        description="Transfers of personal data outside the EU/EEA named in access "
        "exports; empty for none.",
    )
    privacy_transfer_safeguard: str = Field(
        default="The standard contractual clauses adopted by the European Commission, "
        "entered into with those processors, and additional measures to protect your "
        "personal data",
        description="The safeguard for those transfers (GDPR Art. 46), named in access exports.",
    )
    privacy_legitimate_interest: str = Field(
        default="To raise the quality of our products and services and so give our users "
        "a better experience: feedback steers their development in the direction "
        "customers want, and the contact rules keep surveys from appearing each time "
        "you log in. You are contacted only if you answered a survey.",
        description="The legitimate interest the processing rests on, as access exports state it.",
    )

    limited_paths: list[str] = Field(
        default=["/graphql", "/s/", "/o/", "/privacy/", "/exports/", "/console"],
        description="Path prefixes under the request-size and rate limits, as a JSON list.",
    )
    max_body_bytes: int = Field(
        default=1_048_576,
        ge=1024,
        description="Largest request body accepted there (bytes); larger ones get 413 "
        "PAYLOAD_TOO_LARGE.",
    )
    rate_limit_per_address: str = Field(
        default="600/minute",
        description="Requests one client address may make there, e.g. '600/minute'; "
        "beyond it 429 RATE_LIMITED with Retry-After. Empty turns the limit off.",
    )
    rate_limit_per_token: str = Field(
        default="1200/minute",
        description="Requests one API token may make there; beyond it 429 RATE_LIMITED with "
        "Retry-After. "
        "Empty turns the limit off.",
    )

    # --- Schema exposure and GraphiQL (docs/security.md) ---
    introspection: Literal["authenticated", "public", "off"] = Field(
        default="authenticated",
        description="Who may read the GraphQL schema through introspection (`__schema`, "
        "`__type`): `authenticated`, any valid API key of any role; `public`, anyone; "
        "`off`, no one. Refused callers get UNAUTHENTICATED (no valid key) or FORBIDDEN "
        "(off) and no schema data; `__typename` always works. GraphiQL (GET /graphql in "
        "a browser) is served unless this is `off`.",
    )
    widget_operations: Literal["any", "registered"] = Field(
        default="any",
        description="What widget keys may send to /graphql: `any`, any document their "
        "role allows; `registered`, only the banner's own documents (widget.js sends them "
        "by id), so a widget key copied out of a page can do nothing else. Other "
        "documents get FORBIDDEN and nothing runs. Other roles are not affected. See "
        "docs/security.md, Persisted queries for the widget.",
    )
    # --- end of schema exposure and GraphiQL ---

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        if value.upper() not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
            raise ValueError("use DEBUG, INFO, WARNING, ERROR or CRITICAL")
        return value.upper()

    @field_validator("rate_limit_per_address", "rate_limit_per_token")
    @classmethod
    def _rate_limit(cls, value: str) -> str:
        if value.strip():
            try:
                parse(value)
            except ValueError:
                raise ValueError("use a rate such as '600/minute' or '10/second'") from None
        return value.strip()

    @field_validator("slack_ops_channel")
    @classmethod
    def _ops_channel(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        if not re.fullmatch(r"[CG][A-Z0-9]{2,30}", value.strip()):
            raise ValueError(
                "use the channel's id, such as C0123ABCD (its name will not do: the id is "
                "at the bottom of the channel's details in Slack)"
            )
        return value.strip()

    @property
    def slack_sign_in(self) -> bool:
        """Whether the console offers "Sign in with Slack"."""
        return self.slack_client_id is not None and self.slack_client_secret is not None

    def resolved_erasure_ledger_path(self) -> Path:
        return self.erasure_ledger_path or self.data_dir / "erasure-ledger.jsonl"

    def resolved_public_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")
