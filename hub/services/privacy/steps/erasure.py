"""ERASURE and OBJECTION: the person removed from every collection (documents
deleted or anonymised, as the registry says), their undelivered messages dropped,
their Slack messages redacted, their e-mail address, user id or username redacted
where other people quoted them, and only keyed hashes of their identity kept in the
suppression list. Running either twice changes nothing the second time."""

from __future__ import annotations

import re
from collections.abc import Iterable

from hub.models.privacy import RightsRequest, RightsRequestType
from hub.models.suppression import SuppressionReason
from hub.services.followups.stores import follow_up_notes, follow_ups
from hub.services.privacy.free_text import replace_quoted
from hub.services.privacy.registry import (
    REDACTED,
    CollectionEntry,
    OnErasure,
    entry_for,
    subject_entries,
)
from hub.services.privacy.steps.base import Outcome, RequestHandler, StepResult, StepServices
from hub.services.privacy.subject_hooks import Counts
from hub.services.privacy.subjects import Identity, subject_filter
from hub.services.stores import store_for
from hub.services.widget.stores import responses


def redact_quotes(text: str, terms: Iterable[str]) -> str:
    """`text` with every whole occurrence of the terms replaced by the marker."""
    return replace_quoted(text, terms, REDACTED)


async def suppress(services: StepServices, identity: Identity, reason: SuppressionReason) -> int:
    """Add the person's keyed hashes; returns how many were not listed yet."""
    added = 0
    pairs: list[tuple[str | None, str | None]] = [(uid, None) for uid in identity.user_ids]
    pairs += [(None, email) for email in identity.emails]
    for user_id, email in pairs:
        if not await services.suppressions.is_suppressed(user_id, email):
            added += 1
        await services.suppressions.suppress(reason, user_id=user_id, email=email)
    return added


async def erase(services: StepServices, identity: Identity, reason: SuppressionReason) -> Outcome:
    """Remove the person everywhere; see the module's docstring. Idempotent."""
    outcome: Outcome = {
        "slack": {},
        "erased": {},
        "quotes_redacted": {},
        "suppressed": {},
        "hooks": {},
    }
    if identity.empty:
        return outcome
    if services.ledger is not None:  # first: a restored backup is erased again from it
        await services.ledger.record(services.hmacs(identity), reason)
    # The Slack messages first: redaction finds them by the follow-ups' subject.
    redacted = 0
    for user_id in identity.user_ids:
        redacted += await services.follow_ups.redact_subject(user_id)
    outcome["slack"]["messages_redacted"] = redacted
    # Then what other features derived from the person (rollups), while the
    # records they find the person by are still there.
    outcome["hooks"] = await services.hooks.erase(identity)
    for entry in subject_entries():
        if entry.model is RightsRequest:
            continue  # last: the request being executed is one of them
        outcome["erased"][entry.collection] = await _erase_in(entry, identity)
    outcome["quotes_redacted"] = await _redact_quotes(services, identity)
    outcome["suppressed"]["identities"] = await suppress(services, identity, reason)
    outcome["erased"]["rights_requests"] = await _erase_in(entry_for(RightsRequest), identity)
    outcome["exports"] = await services.exports.withdraw(
        services.hmacs(identity), identity.quoted_terms(), redact_quotes
    )
    return outcome


async def _erase_in(entry: CollectionEntry, identity: Identity) -> int:
    query = subject_filter(entry, identity)
    if query is None:
        return 0
    store = store_for(entry.model)
    if entry.on_erasure is OnErasure.DELETE:
        return await store.delete_where(query)
    changed = 0
    nested = {key: value for key, value in entry.anonymised.items() if "." in key}
    top = {key: value for key, value in entry.anonymised.items() if "." not in key}
    for key, value in nested.items():  # only where the parent exists
        found_as = key.replace(".$[]", "")  # `list.$[].field`: that field of every item
        parent = found_as.rsplit(".", 1)[0]
        modified = await store.set_where(
            {**query, parent: {"$ne": None}, found_as: {"$ne": value}}, {key: value}
        )
        changed = max(changed, modified)
    return max(changed, await store.set_where(query, top))


async def _redact_quotes(services: StepServices, identity: Identity) -> Counts:
    """Other people's comments and notes that quote the person."""
    terms = identity.quoted_terms()
    counts: Counts = {"responses": 0, "follow_ups": 0, "follow_up_notes": 0}
    if not terms:
        return counts
    pattern = "|".join(re.escape(term) for term in terms)
    refresh: set[str] = set()
    async for raw in responses.commented_matching(pattern):
        comment = redact_quotes(raw["comment"], terms)
        if comment != raw["comment"]:
            # The tags' words are the comment's: redacted alike, then matched again.
            themes = [
                {**tag, "words": [redact_quotes(word, terms) for word in tag.get("words", [])]}
                for tag in raw.get("themes") or []
            ]
            await responses.set_comment_text(raw["_id"], comment, themes)
            counts["responses"] += 1
            refresh.add(raw["user"]["id"])
    async for raw in follow_ups.noted_matching(pattern):
        note = redact_quotes(raw["resolution"]["note"], terms)
        if note != raw["resolution"]["note"]:
            await follow_ups.set_resolution_note(raw["_id"], note)
            counts["follow_ups"] += 1
            refresh.add(raw["subject_id"])
    async for raw in follow_up_notes.matching(pattern):  # internal notes, never in Slack
        text = redact_quotes(raw["text"], terms)
        if text != raw["text"]:
            await follow_up_notes.set_text(raw["_id"], text)
            counts["follow_up_notes"] += 1
    # Their Slack messages quoted the person too: rebuild them from the database.
    for user_id in sorted(refresh):
        await services.follow_ups.refresh_subject(user_id)
    return counts


class ErasureHandler(RequestHandler):
    type = RightsRequestType.ERASURE
    reason = SuppressionReason.ERASURE

    async def run(self, request: RightsRequest, identity: Identity) -> StepResult:
        return StepResult(outcome=await erase(self.services, identity, self.reason))


class ObjectionHandler(ErasureHandler):
    """An objection erases as an erasure does; the suppression says why."""

    type = RightsRequestType.OBJECTION
    reason = SuppressionReason.OBJECTION
