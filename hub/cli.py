"""The `feedback-hub` command: serve the hub and manage API keys."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import ValidationError

from hub.clock import SystemClock
from hub.errors import DomainError
from hub.models.common import Role, UserIdentity
from hub.runtime import open_database
from hub.services import Services
from hub.settings import Settings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="feedback-hub", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the hub (HTTP server)")
    serve.add_argument("--host", help="bind address (HUB_HOST)")
    serve.add_argument("--port", type=int, help="HTTP port (HUB_PORT)")
    serve.add_argument(
        "--demo", action="store_true", help="load demo data and tokens into an empty database"
    )

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
    return parser


def _with_services(work: Callable[[Services], Awaitable[int]]) -> int:
    settings = Settings()

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
    key = await services.keys.revoke(key_id)
    print(f"Revoked key {key.id} ({key.label}).")
    return 0


async def _create_link(services: Services, args: argparse.Namespace) -> int:
    user = UserIdentity(id=args.user, email=args.email, username=args.username)
    link, url = await services.links.create(args.survey, user, args.locale, args.days)
    print(f"Survey link for {link.survey_key}, valid until {link.expires_at:%Y-%m-%d %H:%M} UTC:")
    print(url)
    return 0


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from hub.app import create_app

    overrides: dict[str, Any] = {}
    if args.host:
        overrides["host"] = args.host
    if args.port:
        overrides["port"] = args.port
    if args.demo:
        overrides["demo_data"] = True
    settings = Settings(**overrides)
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level.lower(),
        lifespan="on",
    )
    return 0


def configure_logging(settings: Settings) -> None:
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(levelname)s %(name)s: %(message)s"
    )
    # The driver's debug logs quote whole commands and replies, personal data included.
    logging.getLogger("pymongo").setLevel(max(logging.INFO, logging.root.level))


async def _rebuild_rollups(services: Services, survey_key: str | None) -> int:
    report = await services.analytics.rebuild(survey_key)
    print(
        f"Rebuilt rollups from {report.displays} displays and {report.responses} responses: "
        f"{report.daily_rollups} daily and {report.slot_rollups} quarter-hour rollups."
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = Settings()
    except ValidationError as error:
        names = ", ".join("HUB_" + str(err["loc"][0]).upper() for err in error.errors())
        print(f"feedback-hub: invalid setting(s): {names}", file=sys.stderr)
        return 2
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(levelname)s %(name)s: %(message)s"
    )
    try:
        if args.command == "serve":
            return _serve(args)
        if args.command == "schema":
            from graphql_schema.schema import build_schema

            print(build_schema(settings).as_str())
            return 0
        if args.command == "links":
            return _with_services(lambda services: _create_link(services, args))
        if args.command == "rollups":
            return _with_services(lambda services: _rebuild_rollups(services, args.survey))
        if args.keys_command == "create":
            return _with_services(lambda services: _create_key(services, args))
        if args.keys_command == "list":
            return _with_services(_list_keys)
        return _with_services(lambda services: _revoke_key(services, args.key))
    except DomainError as error:
        print(f"feedback-hub: {error.message}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
