"""One-time migrations of data already stored, run by `feedback-hub migrate` and at
start. Each is idempotent: running it again changes nothing. At start it runs only
when the database has no record of its current version (one read otherwise).

`email-normal-form` rewrites every stored e-mail address to the normal form of
`hub.services.privacy.identity` (trimmed, case-folded), in every collection and field the
personal-data registry lists as holding one, so that stored data and every new
comparison agree."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from hub.clock import Clock
from hub.models.outbox import OutboxMessage
from hub.services.channels.mail import EMAIL_KIND
from hub.services.platform.stores import schema_migrations
from hub.services.privacy.identity import normalize_email
from hub.services.privacy.registry import REGISTRY, Category, CollectionEntry
from hub.services.stores import store_for

log = logging.getLogger("hub.migrations")

EMAIL_NORMAL_FORM = "email-normal-form"
EMAIL_NORMAL_FORM_VERSION = 1


@dataclass(frozen=True)
class EmailPath:
    """A field that holds an address (or a list of them), and which documents."""

    path: str
    only: tuple[tuple[str, Any], ...] = ()


def email_paths(entry: CollectionEntry) -> list[EmailPath]:
    """The fields of a collection that hold e-mail addresses, from the registry: its
    contact fields (not free text), and the recipient of an e-mail in the outbox."""
    paths = [
        EmailPath(item.path)
        for item in entry.personal
        if item.category is Category.CONTACT and not item.free_text
    ]
    if entry.email_path and entry.email_path not in {item.path for item in paths}:
        paths.append(EmailPath(entry.email_path))
    if entry.model is OutboxMessage:
        paths.append(EmailPath("payload.to", (("kind", EMAIL_KIND),)))
    return paths


def _get(raw: dict[str, Any], path: str) -> Any:
    value: Any = raw
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _normal(value: Any) -> Any:
    if isinstance(value, str):
        return normalize_email(value)
    if isinstance(value, list):
        return [normalize_email(item) if isinstance(item, str) else item for item in value]
    return value


async def normalize_stored_emails() -> dict[str, int]:
    """Rewrite every stored address to its normal form; per collection, how many
    documents changed."""
    changed: dict[str, int] = {}
    for entry in REGISTRY:
        store = store_for(entry.model)
        ids: set[Any] = set()
        for email in email_paths(entry):
            query: dict[str, Any] = {email.path: {"$exists": True, "$ne": None}, **dict(email.only)}
            async for raw in store.documents(query, projection={email.path: 1}):
                value = _get(raw, email.path)
                normal = _normal(value)
                if normal == value:
                    continue
                if await store.set_one_where(
                    {"_id": raw["_id"], email.path: value}, {email.path: normal}
                ):
                    ids.add(raw["_id"])
        if email_paths(entry):
            changed[entry.collection] = len(ids)
    return changed


async def migrate(clock: Clock) -> dict[str, dict[str, int]]:
    """Run every migration now (idempotent); per migration, the documents changed per
    collection."""
    changed = await normalize_stored_emails()
    await schema_migrations.record(
        EMAIL_NORMAL_FORM, EMAIL_NORMAL_FORM_VERSION, clock.now(), changed
    )
    log.info("migration %s: %s documents changed", EMAIL_NORMAL_FORM, sum(changed.values()))
    return {EMAIL_NORMAL_FORM: changed}


async def migrate_if_needed(clock: Clock) -> bool:
    """At start: run the migrations this database has no record of. True if they ran."""
    if await schema_migrations.has_run(EMAIL_NORMAL_FORM, EMAIL_NORMAL_FORM_VERSION):
        return False
    await migrate(clock)
    return True
