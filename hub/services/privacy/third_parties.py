"""Other people in a subject's own export (ACCESS and PORTABILITY).

An export hands the subject their own data. The comments and notes in it may quote
other people (customers, colleagues) and the follow-ups name the staff who handled
them: those are not the subject's data, and handing them over would disclose them
(GDPR Art. 15(4)). So, in every field the registry marks as free text, other people's
e-mail addresses and the user ids and usernames the hub knows are replaced, as are
Slack mentions and the names of staff; the subject's own identifiers stay. Staff
recorded on a follow-up (who claimed it, who resolved it) are named by their role.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from beanie import PydanticObjectId
from bson.errors import InvalidId

from hub.services.access.stores import api_keys
from hub.services.followups.stores import slack_users
from hub.services.privacy.free_text import known_identifiers, redact_others
from hub.services.privacy.identity import normalize_email
from hub.services.privacy.registry import Category, subject_entries

SLACK_STAFF = "agent"  # whoever works follow-ups in Slack does an agent's job


def staff_by_role(role: str) -> str:
    return f"a member of staff ({role})"


def _values(value: Any, path: str) -> Iterable[Any]:
    """The values at a dotted path, through lists of documents (`posts.channel_id`
    gives the channel of every post)."""
    if isinstance(value, list):
        for item in value:
            yield from _values(item, path)
        return
    if not isinstance(value, dict):
        return
    first, _, rest = path.partition(".")
    if first not in value:
        return
    if rest:
        yield from _values(value[first], rest)
    elif value[first] is not None:
        yield value[first]


def _rewrite(value: Any, path: str, change: Callable[[Any], Any]) -> None:
    """Replace, in place, each value at a dotted path (through lists) by `change` of it."""
    if isinstance(value, list):
        for item in value:
            _rewrite(item, path, change)
        return
    if not isinstance(value, dict):
        return
    first, _, rest = path.partition(".")
    if first not in value:
        return
    if rest:
        _rewrite(value[first], rest, change)
    elif value[first] is not None:
        value[first] = change(value[first])


def _strings(value: Any) -> Iterable[str]:
    """Every string inside a stored value (a payload holds nested ones)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def rewrite_strings(value: Any, change: Callable[[str], str]) -> Any:
    """`value` (a JSON-like document) with every string in it passed through `change`."""
    if isinstance(value, str):
        return change(value)
    if isinstance(value, dict):
        return {key: rewrite_strings(item, change) for key, item in value.items()}
    if isinstance(value, list):
        return [rewrite_strings(item, change) for item in value]
    return value


def _free_text_paths() -> dict[str, list[str]]:
    return {
        entry.collection: [item.path for item in entry.personal if item.free_text]
        for entry in subject_entries()
    }


def _staff_paths() -> dict[str, set[str]]:
    """The actor objects (`claimed_by`, `resolution.by`) each collection names staff in."""
    return {
        entry.collection: {
            item.path.rsplit(".", 1)[0]
            for item in entry.personal
            if item.category is Category.STAFF and item.path.endswith((".id", ".name"))
        }
        for entry in subject_entries()
    }


def own_identifiers(data: dict[str, list[Any]], user_ids: list[str], emails: list[str]) -> set[str]:
    """The subject's ids, addresses and usernames, as their documents hold them."""
    own = {*user_ids, *emails}
    addresses = {normalize_email(email) for email in emails}
    for documents in data.values():
        for document in documents:
            user = document.get("user") if isinstance(document, dict) else None
            if not isinstance(user, dict):
                continue
            email = user.get("email")
            if user.get("id") in user_ids or (
                isinstance(email, str) and normalize_email(email) in addresses
            ):
                own |= {value for value in user.values() if isinstance(value, str)}
    return own


async def _roles_of(actor_ids: set[str]) -> dict[str, str]:
    """Each actor's role: agent for Slack users, the key's role for API keys."""
    roles = {actor: SLACK_STAFF for actor in actor_ids if actor.startswith("slack:")}
    key_ids: list[PydanticObjectId] = []
    for actor in actor_ids:
        if actor.startswith("key:"):
            try:
                key_ids.append(PydanticObjectId(actor.removeprefix("key:")))
            except (InvalidId, TypeError):
                continue
    if key_ids:
        async for raw in api_keys.roles_of(key_ids):
            roles[f"key:{raw['_id']}"] = str(raw["role"])
    return roles


async def _staff_names(actors: list[dict[str, Any]]) -> set[str]:
    names = {str(actor["name"]) for actor in actors if actor.get("name")}
    async for raw in slack_users.display_names():
        if raw.get("display_name"):
            names.add(str(raw["display_name"]))
    return names


async def redact_export_data(
    data: dict[str, list[Any]], user_ids: list[str], emails: list[str]
) -> None:
    """Rewrite an access export's documents (as `access` collects them) in place."""
    own = own_identifiers(data, user_ids, emails)
    staff_paths = _staff_paths()
    actors: list[dict[str, Any]] = []
    for collection, documents in data.items():
        for document in documents:
            for path in staff_paths.get(collection, ()):
                for actor in _values(document, path):
                    if isinstance(actor, dict) and actor.get("id"):
                        actors.append(actor)
    staff = await _staff_names(actors)
    roles = await _roles_of({str(actor["id"]) for actor in actors})
    text_paths = _free_text_paths()
    texts = [
        text
        for collection, documents in data.items()
        for document in documents
        for path in text_paths.get(collection, ())
        for value in _values(document, path)
        for text in _strings(value)
    ]
    known = await known_identifiers(texts)

    def change(text: str) -> str:
        return redact_others(text, known, own, staff)

    def by_role(actor: Any) -> Any:
        if isinstance(actor, dict) and actor.get("id"):
            return staff_by_role(roles.get(str(actor["id"]), "staff"))
        return actor

    for collection, documents in data.items():
        for document in documents:
            for path in text_paths.get(collection, ()):
                _rewrite(document, path, lambda value: rewrite_strings(value, change))
            for path in staff_paths.get(collection, ()):
                _rewrite(document, path, by_role)


async def redact_comments(
    rows: list[dict[str, Any]], user_ids: list[str], emails: list[str], usernames: set[str]
) -> None:
    """Portability rows with other people's identifiers redacted from the comments."""
    own = {*user_ids, *emails, *usernames}
    comments = [row["comment"] for row in rows if isinstance(row.get("comment"), str)]
    known = await known_identifiers(comments)
    staff = await _staff_names([])
    for row in rows:
        if isinstance(row.get("comment"), str):
            row["comment"] = redact_others(row["comment"], known, own, staff)
