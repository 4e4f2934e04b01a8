"""Every collection's store, the one module that holds its raw queries
(hub/services/platform/store.py), by model: for the code driven by the personal-data
registry, which runs one query per registered collection, and the doctor."""

from __future__ import annotations

from beanie import Document

from hub.services.access.stores import api_keys, console_members, console_sessions
from hub.services.analytics.stores import rollup_changes, rollups
from hub.services.channels.stores import survey_links
from hub.services.followups.stores import (
    follow_up_notes,
    follow_ups,
    routing_defaults,
    routing_rules,
    slack_requests_seen,
    slack_users,
)
from hub.services.platform.store import CollectionStore
from hub.services.platform.stores import job_leases, outbox, outbox_pauses, schema_migrations
from hub.services.privacy.stores import (
    audit_head,
    audit_log,
    erasure_ledger,
    opt_out_objections,
    privacy_exports,
    rights_requests,
    suppressions,
    survey_retention,
)
from hub.services.surveys.stores import surveys
from hub.services.themes.stores import theme_jobs, themes
from hub.services.widget.stores import (
    contact_states,
    displays,
    live_events,
    logins,
    people,
    responses,
)

STORES: tuple[CollectionStore, ...] = (
    api_keys.STORE,
    console_members.STORE,
    console_sessions.STORE,
    *rollups.BY_MODEL.values(),
    rollup_changes.STORE,
    survey_links.STORE,
    follow_ups.STORE,
    follow_up_notes.STORE,
    routing_defaults.STORE,
    routing_rules.STORE,
    slack_requests_seen.STORE,
    slack_users.STORE,
    job_leases.STORE,
    outbox.STORE,
    outbox_pauses.STORE,
    schema_migrations.STORE,
    audit_head.STORE,
    audit_log.STORE,
    erasure_ledger.STORE,
    opt_out_objections.STORE,
    privacy_exports.STORE,
    rights_requests.STORE,
    suppressions.STORE,
    survey_retention.STORE,
    surveys.STORE,
    themes.STORE,
    theme_jobs.STORE,
    contact_states.STORE,
    displays.STORE,
    live_events.STORE,
    logins.STORE,
    people.STORE,
    responses.STORE,
)
_BY_MODEL: dict[type[Document], CollectionStore] = {store.model: store for store in STORES}


def store_for(model: type[Document]) -> CollectionStore:
    """The store of a model's collection."""
    return _BY_MODEL[model]
