"""The themes admins defined: their writes (`ThemeService`), and the catalog the
tagger, the routing and the suggestions read them from, compiled once and cached,
since every comment is matched against all of them (`ThemeCatalog`)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from cachetools import TTLCache
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import DuplicateKeyError

from hub.clock import Clock
from hub.db import in_transaction
from hub.errors import Conflict, ErrorCode, NotFound, ValidationFailed
from hub.models.theme import Theme, ThemeChange, ThemeRule
from hub.services.platform import validation
from hub.services.themes.jobs import queue_retag
from hub.services.themes.matching import CompiledTheme, compile_theme
from hub.services.themes.stores import themes as theme_store

MAX_NAME_LENGTH = 100
MAX_DESCRIPTION_LENGTH = 1000
_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


class ThemeCatalog:
    """The themes and their compiled rules. As with routing rules, a change made in
    this process is seen at once (`forget`), one made by another within
    `cache_seconds`; the tagger reads the themes' versions in each of its
    transactions instead (`current`), so it never tags with rules that changed."""

    def __init__(self, cache_seconds: float = 5.0) -> None:
        self._compiled: TTLCache[str, list[CompiledTheme]] = TTLCache(maxsize=1, ttl=cache_seconds)
        # By theme id and version: a theme deleted and made again gets a new id.
        self._by_version: dict[tuple[Any, int], CompiledTheme] = {}

    async def themes(self) -> list[Theme]:
        """Every theme, by key."""
        return [Theme.model_validate(raw) for raw in await theme_store.every()]

    async def compiled(self) -> list[CompiledTheme]:
        """Every theme's rules compiled for matching, by key (cached)."""
        compiled = self._compiled.get("themes")
        if compiled is None:
            compiled = [compile_theme(theme.key, theme.rules) for theme in await self.themes()]
            self._compiled["themes"] = compiled
        return compiled

    async def current(self, session: AsyncClientSession | None = None) -> list[CompiledTheme]:
        """Every theme compiled as `session` reads the themes now (one small query);
        a theme whose version was compiled before is not compiled again."""
        raws = await theme_store.every(session)
        known = self._by_version
        self._by_version = {}
        for raw in raws:
            version = (raw["_id"], int(raw["version"]))
            compiled = known.get(version)
            if compiled is None:
                theme = Theme.model_validate(raw)
                compiled = compile_theme(theme.key, theme.rules)
            self._by_version[version] = compiled
        return list(self._by_version.values())

    def forget(self) -> None:
        """Drop the cache after a change in this process."""
        self._compiled.clear()


@dataclass
class ThemeDraft:
    """What an admin sends to define a theme. Without a key, the key is made from
    the name ("Billing & invoices" → "billing-invoices")."""

    name: str
    rules: list[ThemeRule]
    description: str = ""
    key: str | None = None


@dataclass
class ThemeChanges:
    """What to change of a theme; None leaves it as it is."""

    name: str | None = None
    description: str | None = None
    rules: list[ThemeRule] | None = None


def key_of(name: str) -> str:
    """The key a name makes: its letters and digits without accents, lower case,
    joined by '-'."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.casefold()).strip("-")[:64].strip("-")


def _key(value: str) -> str:
    if not _KEY.match(value):
        raise ValidationFailed(
            ErrorCode.INVALID_INPUT,
            "A theme key is 1-64 lowercase letters, digits, '-' or '_'.",
            "key",
        )
    return value


def _name(value: str) -> str:
    return validation.required_text(value, "name", MAX_NAME_LENGTH)


def _description(value: str) -> str:
    return validation.clean_text(value, "description", MAX_DESCRIPTION_LENGTH) or ""


def _rules(key: str, rules: Sequence[ThemeRule]) -> list[ThemeRule]:
    """The rules checked (`compile_theme`) and written the one way they are stored:
    language codes in lower case, one space between words."""
    compile_theme(key, rules)
    return [
        ThemeRule(
            language=rule.language.strip().casefold(),
            terms=[" ".join(term.split()) for term in rule.terms],
            exclusions=[" ".join(term.split()) for term in rule.exclusions],
        )
        for rule in rules
    ]


def _dumped(rules: list[ThemeRule]) -> list[dict[str, Any]]:
    return [rule.model_dump() for rule in rules]


class ThemeService:
    """Create, change and delete themes. Each change is checked in full before
    anything is written, and is written in one transaction with the re-tag job that
    applies it to past comments (`hub.services.themes.jobs`); `changed` is then
    called (it drops this process's cache and wakes the job runner)."""

    def __init__(self, clock: Clock, catalog: ThemeCatalog, changed: Callable[[], None]) -> None:
        self.clock = clock
        self.catalog = catalog
        self._changed = changed

    async def themes(self) -> list[Theme]:
        return await self.catalog.themes()

    async def _write(
        self, work: Callable[[AsyncClientSession], Awaitable[dict[str, Any]]], name: str
    ) -> Theme:
        try:
            raw: dict[str, Any] = await in_transaction(theme_store.STORE.client(), work)
        except DuplicateKeyError:
            # Two admins creating (or renaming to) one name at once: the unique
            # indexes let one win; the other is told which value is taken.
            taken = await theme_store.named(name.casefold())
            raise _taken("name" if taken is not None else "key") from None
        self.catalog.forget()
        self._changed()
        theme: Theme = Theme.model_validate(raw)
        return theme

    async def create(self, draft: ThemeDraft) -> Theme:
        name = _name(draft.name)
        key = _key(draft.key.strip() if draft.key is not None else key_of(name))
        rules = _rules(key, draft.rules)
        now = self.clock.now()
        theme = Theme(
            key=key,
            name=name,
            name_folded=name.casefold(),
            description=_description(draft.description),
            rules=rules,
            created_at=now,
            updated_at=now,
        )

        async def work(session: AsyncClientSession) -> dict[str, Any]:
            if await theme_store.named(theme.name_folded, session) is not None:
                raise _taken("name")
            if await theme_store.by_key(key, session) is not None:
                raise _taken("key")
            await theme.insert(session=session)
            await queue_retag(key, ThemeChange.CREATED, now, session)
            created: dict[str, Any] = theme.model_dump(by_alias=True)
            return created

        return await self._write(work, name)

    async def update(self, key: str, changes: ThemeChanges) -> Theme:
        name = _name(changes.name) if changes.name is not None else None
        description = _description(changes.description) if changes.description is not None else None
        rules = _rules(key, changes.rules) if changes.rules is not None else None
        now = self.clock.now()

        async def work(session: AsyncClientSession) -> dict[str, Any]:
            raw = await theme_store.by_key(key, session)
            if raw is None:
                raise NotFound("Theme", "key")
            values: dict[str, Any] = {}
            if name is not None and name != raw["name"]:
                if name.casefold() != raw["name_folded"] and await theme_store.named(
                    name.casefold(), session
                ):
                    raise _taken("name")
                values.update(name=name, name_folded=name.casefold())
            if description is not None and description != raw["description"]:
                values["description"] = description
            retag = rules is not None and _dumped(rules) != raw["rules"]
            if retag and rules is not None:
                values.update(rules=_dumped(rules), version=int(raw["version"]) + 1)
            if not values:
                return raw  # the same again: nothing to write, nothing to re-tag
            values["updated_at"] = now
            changed = await theme_store.change(key, int(raw["version"]), values, session)
            if changed is None:
                raise NotFound("Theme", "key")
            if retag:
                await queue_retag(key, ThemeChange.UPDATED, now, session)
            return changed

        return await self._write(work, name or "")

    async def delete(self, key: str) -> Theme:
        """Delete a theme; the re-tag job then takes its tags off past comments."""
        now = self.clock.now()

        async def work(session: AsyncClientSession) -> dict[str, Any]:
            removed = await theme_store.delete(key, session)
            if removed is None:
                raise NotFound("Theme", "key")
            await queue_retag(key, ThemeChange.DELETED, now, session)
            return removed

        return await self._write(work, "")


def _taken(field: str) -> Conflict:
    what = "name" if field == "name" else "key"
    return Conflict(ErrorCode.DUPLICATE_KEY, f"A theme with this {what} exists.", field)
