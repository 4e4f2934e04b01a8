"""The `feedback-hub` command: serve the hub, manage API keys and console members, and
operate it."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from hub.clock import SystemClock
from hub.errors import DomainError
from hub.logs import configure_logging
from hub.models.common import Role, UserIdentity
from hub.server import config
from hub.server.config import Problem
from hub.server.runtime import open_database
from hub.services import Services
from hub.settings import Settings

# The name the hub is installed by (`pip install feedback-hub-server`); the command and
# the import packages keep the shorter `feedback-hub` and `hub`.
DISTRIBUTION = "feedback-hub-server"


def _version() -> str:
    """The installed distribution's version, the one pip and CHANGELOG.md speak of."""
    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:
        return "unknown (not installed)"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="feedback-hub", description=__doc__)
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the hub (HTTP server)")
    serve.add_argument("--host", help="bind address (HUB_HOST)")
    serve.add_argument("--port", type=int, help="HTTP port (HUB_PORT)")
    serve.add_argument(
        "--demo", action="store_true", help="load demo data and tokens into an empty database"
    )
    serve.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")

    doctor = commands.add_parser(
        "doctor", help="check the database, indexes, Slack, SMTP, secrets and clock"
    )
    doctor.add_argument(
        "--fix",
        action="store_true",
        help="first apply the erasure ledger again if the database lacks part of it "
        "(a restored backup), as `privacy reapply` does",
    )
    slack = commands.add_parser("slack", help="the Slack app")
    slack_commands = slack.add_subparsers(dest="slack_command", required=True)
    manifest = slack_commands.add_parser(
        "manifest", help="print the Slack app manifest for this hub's address"
    )
    manifest.add_argument(
        "--url", required=True, help="the hub's public address, e.g. https://feedback.example.com"
    )
    retry = slack_commands.add_parser(
        "retry",
        help="send the Slack messages held for a reason a person can fix (the bot was "
        "not in a channel, the token was refused) again, once it is fixed",
    )
    retry.add_argument("--channel", help="only this channel's (a channel id, e.g. C0123ABCD)")

    keys = commands.add_parser("keys", help="create, list and revoke API keys")
    key_commands = keys.add_subparsers(dest="keys_command", required=True)
    create = key_commands.add_parser("create", help="create a key; its token is shown once")
    create.add_argument("--role", required=True, choices=[role.value for role in Role])
    create.add_argument("--label", required=True, help="who or what the key is for")
    create.add_argument(
        "--survey",
        action="append",
        default=[],
        help="limit a widget key to this survey (repeatable; default: all surveys)",
    )
    key_commands.add_parser("list", help="list keys (never their tokens)")
    revoke = key_commands.add_parser("revoke", help="revoke a key by id or prefix")
    revoke.add_argument("key", help="the key's id, or its prefix as `keys list` shows it")

    console = commands.add_parser("console", help="the web console (/console)")
    console_commands = console.add_subparsers(dest="console_command", required=True)
    members = console_commands.add_parser(
        "members",
        help="who may sign in to the console with Slack: list, add or change, remove "
        "(lets the first admin in)",
    )
    member_commands = members.add_subparsers(dest="members_command", required=True)
    member_commands.add_parser("list", help="list console members and their roles")
    add = member_commands.add_parser(
        "add", help="let a Slack user or user group in with a role, or change their role"
    )
    add.add_argument("slack_id", help="a Slack user id (U…, W…) or user group id (S…)")
    add.add_argument(
        "--role",
        required=True,
        choices=[role.value for role in Role if role is not Role.WIDGET],
        help="the role they get in the console",
    )
    remove = member_commands.add_parser(
        "remove", help="take a Slack user or user group off the console; their sessions end"
    )
    remove.add_argument("slack_id", help="the Slack user or user group id")

    links = commands.add_parser("links", help="signed survey links for one person")
    link_commands = links.add_subparsers(dest="links_command", required=True)
    link = link_commands.add_parser("create", help="create a link and print its URL")
    link.add_argument("--survey", required=True, help="the survey's key")
    link.add_argument("--user", required=True, help="the person's user id")
    link.add_argument("--email", help="the person's e-mail address")
    link.add_argument("--username", help="the person's username")
    link.add_argument("--locale", help="the page's language, such as es or nb-NO")
    link.add_argument(
        "--days", type=int, help="days the link stays valid (default HUB_LINK_TTL_DAYS)"
    )

    rollups = commands.add_parser("rollups", help="analytics rollups")
    rollup_commands = rollups.add_subparsers(dest="rollups_command", required=True)
    rebuild = rollup_commands.add_parser(
        "rebuild", help="recompute rollups from displays and responses"
    )
    rebuild.add_argument("--survey", help="only this survey's rollups (default: all)")

    commands.add_parser("schema", help="print the GraphQL schema (SDL)")
    commands.add_parser(
        "migrate",
        help="rewrite stored data to the current forms (e-mail addresses trimmed and "
        "case-folded); idempotent, also run at start",
    )

    privacy = commands.add_parser("privacy", help="privacy operations")
    privacy_commands = privacy.add_subparsers(dest="privacy_command", required=True)
    privacy_commands.add_parser(
        "reapply",
        help="apply every erasure and objection of the erasure ledger again (after a "
        "backup of the database was restored) and print what changed",
    )

    retention = commands.add_parser("retention", help="anonymise and delete old personal data")
    retention_commands = retention.add_subparsers(dest="retention_command", required=True)
    run = retention_commands.add_parser("run", help="run retention now and print the report")
    run.add_argument("--dry-run", action="store_true", help="count only, change nothing")
    return parser


def _with_services(settings: Settings, work: Callable[[Services], Awaitable[int]]) -> int:

    async def run() -> int:
        async with open_database(settings):
            return await work(Services.build(settings, SystemClock()))

    return asyncio.run(run())


async def _create_key(services: Services, args: argparse.Namespace) -> int:
    key, token = await services.keys.create(Role(args.role), args.label, args.survey)
    print(f"Created {key.role.value} key {key.id} ({key.label}).")
    print("Token (shown once; store it now):")
    print(token)
    return 0


async def _list_keys(services: Services) -> int:
    keys = await services.keys.list_keys()
    if not keys:
        print("No keys.")
    for key in keys:
        state = f"revoked {key.revoked_at:%Y-%m-%d}" if key.revoked_at else "active"
        scope = f" surveys={','.join(key.survey_keys)}" if key.survey_keys else ""
        print(
            f"{key.id}  {key.prefix}…  {key.role.value:<15} {state:<18} "
            f"{key.created_at:%Y-%m-%d}  {key.label}{scope}"
        )
    return 0


async def _revoke_key(services: Services, key_id: str) -> int:
    key, already = await services.keys.revoke(key_id)
    if already and key.revoked_at is not None:
        print(f"Key {key.id} ({key.label}) was already revoked on {key.revoked_at:%Y-%m-%d}.")
    else:
        print(f"Revoked key {key.id} ({key.label}).")
    return 0


async def _console_members(services: Services, args: argparse.Namespace) -> int:
    console = services.console
    if args.members_command == "add":
        member = await console.set_member(args.slack_id, Role(args.role), added_by="cli")
        print(f"{member.slack_id} may sign in to the console as {member.role.value}.")
    elif args.members_command == "remove":
        member = await console.remove_member(args.slack_id)
        print(f"Removed {member.slack_id} from the console; their sessions ended.")
    else:
        members = await console.members()
        if not members:
            print("No console members.")
        for member in members:
            print(
                f"{member.slack_id:<12} {member.role.value:<15} "
                f"{member.added_at:%Y-%m-%d}  {member.added_by}"
            )
    return 0


async def _run_retention(services: Services, dry_run: bool) -> int:
    from hub.models.privacy import AuditActor

    actor = AuditActor(key_id=None, role="system", label="feedback-hub retention run")
    report = await services.retention.run(dry_run, actor)
    for name, value in report.as_dict().items():
        print(f"{name}: {value}")
    return 0


async def _retry_slack(services: Services, channel: str | None) -> int:
    held = await services.slack_holds.holds(channel)
    released = await services.slack_holds.retry(channel)
    for hold in held:
        print(f"{hold.channel}: {hold.count} held ({hold.reason.code})")
    print(
        f"Released {released} held Slack message(s); the hub sends them now. Any whose "
        "cause remains is held again (see `feedback-hub doctor`)."
    )
    return 0


async def _migrate(services: Services) -> int:
    from hub.services.platform.migrations import migrate

    for name, changed in (await migrate(services.clock)).items():
        print(f"{name}: {sum(changed.values())} documents changed")
        for collection, count in sorted(changed.items()):
            print(f"  {collection}: {count}")
    return 0


async def reapply_ledger(services: Services) -> int:
    """Print what applying the erasure ledger again changed (counts only)."""
    report = await services.ledger_reapply().run()
    for name, value in report.as_dict().items():
        print(f"{name}: {value}")
    print(
        "Changed nothing: the database was in step with the ledger."
        if not report.changed
        else "The database is in step with the ledger again."
    )
    return 0


async def _create_link(services: Services, args: argparse.Namespace) -> int:
    user = UserIdentity(id=args.user, email=args.email, username=args.username)
    link, url = await services.links.create(args.survey, user, args.locale, args.days)
    print(f"Survey link for {link.survey_key}, valid until {link.expires_at:%Y-%m-%d %H:%M} UTC:")
    print(url)
    return 0


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    from hub.server.serving import serve

    if args.workers < 1:
        return _refuse([Problem("--workers", "must be 1 or more")])
    if args.workers > 1 and settings.metrics_port is not None:
        return _refuse(
            [
                Problem(
                    "HUB_METRICS_PORT",
                    "cannot be used with --workers above 1 (each worker would bind it); "
                    "use HUB_METRICS_TOKEN to serve /metrics on the main port",
                )
            ]
        )
    return serve(settings, workers=args.workers)


def _refuse(problems: list[Problem]) -> int:
    """One line per problem, naming the setting to change (exit code 2)."""
    for problem in problems:
        print(f"feedback-hub: {problem}", file=sys.stderr)
    return 2


def _overrides(args: argparse.Namespace) -> dict[str, Any]:
    overrides: dict[str, Any] = {}
    if getattr(args, "host", None):
        overrides["host"] = args.host
    if getattr(args, "port", None):
        overrides["port"] = args.port
    if getattr(args, "demo", False):
        overrides["demo_data"] = True
    return overrides


async def _rebuild_rollups(services: Services, survey_key: str | None) -> int:
    report = await services.analytics.rebuild(survey_key)
    print(
        f"Rebuilt rollups from {report.displays} displays and {report.responses} responses: "
        f"{report.daily_rollups} daily, {report.hourly_rollups} hourly and "
        f"{report.slot_rollups} quarter-hour rollups; {report.theme_daily_rollups} daily "
        "theme rollups."
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "slack" and args.slack_command == "manifest":
        from bots.slack.manifest import BadHubUrl, render

        try:
            print(render(args.url), end="")
        except BadHubUrl as error:
            print(f"feedback-hub: {error}", file=sys.stderr)
            return 2
        return 0
    settings, problems = config.load(**_overrides(args))
    if args.command == "doctor":
        from hub.server.doctor import run_doctor

        return run_doctor(settings, problems, fix=args.fix)
    if settings is None or problems:
        return _refuse(problems)
    json_lines = None if settings.log_format == "auto" else settings.log_format == "json"
    configure_logging(settings.log_level, json_lines)
    try:
        if args.command == "serve":
            return _serve(args, settings)
        if args.command == "schema":
            from graphql_schema.schema import build_schema

            print(build_schema(settings).as_str())
            return 0
        if args.command == "retention":
            return _with_services(settings, lambda services: _run_retention(services, args.dry_run))
        if args.command == "slack":
            return _with_services(settings, lambda services: _retry_slack(services, args.channel))
        if args.command == "migrate":
            return _with_services(settings, _migrate)
        if args.command == "privacy":
            return _with_services(settings, reapply_ledger)
        if args.command == "console":
            return _with_services(settings, lambda services: _console_members(services, args))
        if args.command == "links":
            return _with_services(settings, lambda services: _create_link(services, args))
        if args.command == "rollups":
            return _with_services(
                settings, lambda services: _rebuild_rollups(services, args.survey)
            )
        if args.keys_command == "create":
            return _with_services(settings, lambda services: _create_key(services, args))
        if args.keys_command == "list":
            return _with_services(settings, _list_keys)
        return _with_services(settings, lambda services: _revoke_key(services, args.key))
    except DomainError as error:
        print(f"feedback-hub: {error.message}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
