"""`feedback-hub doctor`: checks what the hub needs to run and says, in plain words,
how to fix what does not hold. Exit code 0 only when every check passes."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pymongo import AsyncMongoClient
from pymongo.errors import PyMongoError
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from hub.clock import SystemClock
from hub.db import Database, make_client
from hub.models import ALL_MODELS
from hub.server import runtime
from hub.server.config import Problem
from hub.services.followups import held
from hub.services.platform import diagnosis
from hub.services.privacy.erasure_ledger import ErasureLedger
from hub.settings import Settings

CLOCK_TOLERANCE_SECONDS = 30.0


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    advice: str = ""

    def line(self) -> str:
        mark = "ok  " if self.ok else "FAIL"
        text = f"[{mark}] {self.name}: {self.detail}"
        return text + (f"\n       → {self.advice}" if self.advice and not self.ok else "")


def _declared_indexes(model: Any) -> list[tuple[tuple[str, Any], ...]]:
    declared = []
    for index in getattr(model.Settings, "indexes", []):
        document = getattr(index, "document", None)
        if document is not None:
            declared.append(tuple((str(k), v) for k, v in document["key"].items()))
        elif isinstance(index, str):
            declared.append(((index, 1),))
        else:
            declared.append(tuple((str(k), v) for k, v in index))
    return declared


async def check_indexes(database: Database) -> list[Check]:
    """Every index a model declares exists on its collection."""
    missing: list[str] = []
    indexes = await diagnosis.index_keys(database)
    for model in ALL_MODELS:
        collection = model.Settings.name
        present = indexes[collection]
        for keys in _declared_indexes(model):
            if keys not in present:
                fields = ", ".join(name for name, _ in keys)
                missing.append(f"{collection}({fields})")
    if missing:
        return [
            Check(
                "indexes",
                False,
                f"{len(missing)} missing: {'; '.join(missing)}",
                "start the hub once (`feedback-hub serve`): it creates the declared indexes "
                "at start; queries without them scan whole collections",
            )
        ]
    return [Check("indexes", True, "every declared index is present")]


async def check_rollups(database: Database) -> list[Check]:
    """Every rollup grain holds counts once there is something to count: a grain left
    empty (say, by an upgrade that added it) makes trends and summaries wrong."""
    if not await diagnosis.anything_to_count(database):
        return [Check("rollups", True, "nothing to count yet")]
    empty = await diagnosis.empty_rollup_grains(database)
    if empty:
        return [
            Check(
                "rollups",
                False,
                f"{', '.join(empty)} empty although there are displays to count",
                "run `feedback-hub rollups rebuild` (or the `rebuildRollups` mutation) "
                "while surveys are quiet",
            )
        ]
    waiting = await diagnosis.rollup_backlog(database)
    # Figures count them either way; a backlog that only grows means no hub process
    # runs background workers (HUB_BACKGROUND_WORKERS), so nothing folds them.
    return [
        Check("rollups", True, f"no grain is missing counts; {waiting} change(s) wait to be folded")
    ]


async def check_held_slack(database: Database) -> list[Check]:
    """Slack messages held for a reason a person can fix, per channel and reason."""
    groups = await diagnosis.held_slack(database)
    if not groups:
        return [Check("slack held", True, "no Slack message waits for a fix")]
    checks = []
    for channel, code, count in groups:
        reason = held.describe(code)
        checks.append(
            Check(
                f"slack held {channel}",
                False,
                f"{count} message(s) held: {reason.what} ({code})",
                reason.fix,
            )
        )
    return checks


async def check_erasure_ledger(settings: Settings, database: Database) -> list[Check]:
    """The database holds every entry of the erasure ledger file and their suppressions;
    when it does not, a backup was restored and erased people may be back."""
    lines = ErasureLedger(SystemClock(), settings.resolved_erasure_ledger_path()).read_file()
    stored = await diagnosis.stored_ledger_entries(database)
    missing = [line for line in lines if line.entry_id not in stored]
    hashes = sorted({digest for line in lines for digest in line.identity_hmacs})
    suppressed = 0
    if hashes:
        suppressed = await diagnosis.suppressed_among(database, hashes)
    if missing or suppressed < len(hashes):
        return [
            Check(
                "erasure ledger",
                False,
                f"the database lacks {len(missing)} of {len(lines)} ledger entries and "
                f"{len(hashes) - suppressed} suppressions: a backup was restored?",
                "run `feedback-hub privacy reapply` (or `feedback-hub doctor --fix`) to erase "
                "those people again; the hub also does it when it starts",
            )
        ]
    detail = f"{len(lines)} entries, all applied" if lines else "no erasures recorded yet"
    return [Check("erasure ledger", True, detail)]


async def fix_erasure_ledger(settings: Settings) -> None:
    """Apply the erasure ledger again and print what it changed (counts only)."""
    from hub.services import Services

    async with runtime.open_database(settings):
        report = await Services.build(settings, SystemClock()).ledger_reapply().run()
    changed = ", ".join(f"{name} {value}" for name, value in report.as_dict().items())
    print(f"[fix ] erasure ledger applied again: {changed}")


async def _database_uri(settings: Settings) -> str | None:
    if settings.mongodb_uri is not None:
        return settings.mongodb_uri.get_secret_value()
    return await runtime.running_embedded(settings)


async def check_database(settings: Settings) -> list[Check]:
    uri = await _database_uri(settings)
    if uri is None:
        return [
            Check(
                "database",
                False,
                "HUB_MONGODB_URI is unset and no embedded database is running on "
                f"{settings.data_dir}",
                "set HUB_MONGODB_URI to your replica set or Atlas cluster, or start the hub "
                "(`feedback-hub serve`), which starts the embedded database",
            )
        ]
    client: AsyncMongoClient[dict[str, Any]] = make_client(
        uri, settings.db_timeout_ms, serverSelectionTimeoutMS=settings.db_timeout_ms
    )
    try:
        try:
            info = await client.admin.command("buildInfo")
            hello = await client.admin.command("hello")
        except PyMongoError as error:
            return [
                Check(
                    "database",
                    False,
                    f"not reachable ({type(error).__name__})",
                    "check HUB_MONGODB_URI (host, port, user, password, TLS) and that the "
                    "server is up and lets this host in (firewall, Atlas IP access list)",
                )
            ]
        version = str(info.get("version", "unknown"))
        checks = [Check("database", True, f"reachable, server version {version}")]
        checks += await check_indexes(client[settings.db_name])
        checks += await check_rollups(client[settings.db_name])
        checks += await check_erasure_ledger(settings, client[settings.db_name])
        checks += await check_held_slack(client[settings.db_name])
        checks.append(_check_clock(hello.get("localTime")))
        return checks
    finally:
        await client.close()


def _check_clock(server_time: Any) -> Check:
    if not isinstance(server_time, datetime):
        return Check("clock", True, "the database does not report its time; not compared")
    now = datetime.now(UTC)
    if server_time.tzinfo is None:
        server_time = server_time.replace(tzinfo=UTC)
    skew = (now - server_time).total_seconds()
    if abs(skew) > CLOCK_TOLERANCE_SECONDS:
        return Check(
            "clock",
            False,
            f"this host's clock is {skew:+.0f} s off the database server's",
            "turn on time synchronisation (NTP, e.g. systemd-timesyncd or chrony) on both "
            "hosts: leases, due dates and Slack's signature checks depend on the time",
        )
    return Check("clock", True, f"within {abs(skew):.1f} s of the database server's")


async def _routed_channels(settings: Settings) -> list[str]:
    uri = await _database_uri(settings)
    if uri is None:
        return []
    client: AsyncMongoClient[dict[str, Any]] = make_client(
        uri, settings.db_timeout_ms, serverSelectionTimeoutMS=settings.db_timeout_ms
    )
    try:
        database = client[settings.db_name]
        channels: set[str] = set()
        with contextlib.suppress(PyMongoError):
            channels |= await diagnosis.rule_channels(database)
            channels |= await diagnosis.default_channels(database)
        return sorted(channels)
    finally:
        await client.close()


async def check_slack(settings: Settings, channels: bool = True) -> list[Check]:
    """The token, and with `channels` the routed channels (read from the database)."""
    if settings.slack_bot_token is None:
        return [Check("slack", True, "off (SLACK_BOT_TOKEN unset): follow-ups over GraphQL only")]
    client = AsyncWebClient(
        token=settings.slack_bot_token.get_secret_value(),
        base_url=settings.slack_api_url.rstrip("/") + "/",
        timeout=10,
        retry_handlers=[],
    )
    try:
        auth = await client.auth_test()
    except SlackApiError as error:
        code = str(error.response.get("error") or error.response.status_code)
        return [
            Check(
                "slack token",
                False,
                f"Slack refused it ({code})",
                "copy the Bot User OAuth Token (xoxb-…) from the Slack app's OAuth & "
                "Permissions page into SLACK_BOT_TOKEN; reinstall the app if it was revoked",
            )
        ]
    except Exception as error:  # unreachable, DNS, TLS: all mean "cannot reach Slack"
        return [
            Check(
                "slack token",
                False,
                f"Slack is not reachable ({type(error).__name__})",
                f"check that this host can reach {settings.slack_api_url} (proxy, firewall)",
            )
        ]
    checks = [Check("slack token", True, f"valid for workspace {auth.get('team', '?')}")]
    for channel in await _routed_channels(settings) if channels else []:
        checks.append(await _check_channel(client, channel))
    return checks


async def _check_channel(client: AsyncWebClient, channel: str) -> Check:
    name = f"slack channel {channel}"
    try:
        info = await client.conversations_info(channel=channel)
    except SlackApiError as error:
        code = str(error.response.get("error") or error.response.status_code)
        return Check(
            name,
            False,
            f"cannot be looked up ({code})",
            "the routing rules name a channel the bot cannot see: invite the bot to it "
            "(`/invite @feedback-hub` in the channel), or fix the rule's channel id",
        )
    if not (info.get("channel") or {}).get("is_member"):
        return Check(
            name,
            False,
            "the bot is not a member",
            "invite it: type `/invite @feedback-hub` in the channel; until then "
            "follow-ups routed there are not posted",
        )
    return Check(name, True, "the bot is a member")


async def check_smtp(settings: Settings) -> list[Check]:
    host = settings.smtp_host
    if not host:
        return [Check("smtp", True, "off (HUB_SMTP_HOST unset): no e-mail invitations")]
    port = settings.smtp_port
    writer: asyncio.StreamWriter | None = None
    try:
        reader, opened = await asyncio.wait_for(asyncio.open_connection(host, port), 5)
        writer = opened
        banner = await asyncio.wait_for(reader.readline(), 5)
        if not banner.startswith(b"220"):
            raise ConnectionError("no SMTP greeting")
        opened.write(b"QUIT\r\n")
        await opened.drain()
    except (OSError, TimeoutError, ConnectionError) as error:
        return [
            Check(
                "smtp",
                False,
                f"{host}:{port} does not answer as an SMTP server ({type(error).__name__})",
                "check HUB_SMTP_HOST and HUB_SMTP_PORT, that the mail server is up, and "
                "that this host may connect to it",
            )
        ]
    finally:
        if writer is not None:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()
    return [Check("smtp", True, f"{host}:{port} answers")]


def check_configuration(problems: list[Problem], settings: Settings | None) -> list[Check]:
    checks = [Check(f"setting {p.setting}", False, p.advice) for p in problems]
    if settings is not None and not problems:
        checks.append(Check("settings", True, "valid; secrets set are long enough"))
    if settings is not None and settings.metrics_token is None and settings.metrics_port is None:
        checks.append(
            Check("metrics", True, "off (set HUB_METRICS_TOKEN or HUB_METRICS_PORT to scrape)")
        )
    return checks


async def diagnose(settings: Settings | None, problems: list[Problem]) -> list[Check]:
    checks = check_configuration(problems, settings)
    if settings is None:
        return checks
    # Without a usable HUB_MONGODB_URI (or embedded database) there is nothing to
    # connect to: its failed setting check already says what to set.
    database = not any(problem.setting == "HUB_MONGODB_URI" for problem in problems)
    if database:
        checks += await check_database(settings)
    checks += await check_slack(settings, channels=database)
    checks += await check_smtp(settings)
    return checks


def run_doctor(settings: Settings | None, problems: list[Problem], fix: bool = False) -> int:
    """Print every check; with `fix`, first apply the erasure ledger again. Exit code 2
    when the settings have problems, as every other command, else 1 when a check
    failed."""
    if fix and settings is not None and not problems:
        asyncio.run(fix_erasure_ledger(settings))
    checks = asyncio.run(diagnose(settings, problems))
    for check in checks:
        print(check.line())
    failed = [check for check in checks if not check.ok]
    print("All checks passed." if not failed else f"{len(failed)} check(s) failed; see the advice.")
    if problems:
        return 2
    return 0 if not failed else 1
