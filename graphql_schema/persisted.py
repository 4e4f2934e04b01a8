"""Persisted queries: a request may name a registered document by id instead of sending
its text (`{"extensions": {"persistedQuery": {"version": 1, "sha256Hash": id}}}`, as
Apollo's clients do), and `HUB_WIDGET_OPERATIONS=registered` limits widget keys to the
registered documents (hub/web/persisted.py), whether sent by id or in full.

A widget key sits in every page that shows the banner; with the limit on, one copied
out of a page can still only log in, check eligibility, show, score, comment and
decline, exactly as the banner does."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from typing import Literal

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.http import GraphQLRequestData

from graphql_schema.context import Context
from hub.models.common import Role
from hub.web.persisted import document_id, is_registered, persisted_document

WidgetOperations = Literal["any", "registered"]

PERSISTED_QUERY_NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
PERSISTED_QUERY_MISMATCH = "PERSISTED_QUERY_MISMATCH"


def with_persisted_text(request: GraphQLRequestData) -> GraphQLRequestData | GraphQLError:
    """The request with the text of the document its `persistedQuery` names, or the
    error to answer instead: an id the hub does not know, or a text sent alongside
    that is not the registered one. A request without `persistedQuery` is unchanged."""
    persisted = (request.extensions or {}).get("persistedQuery")
    if persisted is None:
        return request
    sha256 = persisted.get("sha256Hash") if isinstance(persisted, dict) else None
    text = persisted_document(sha256) if isinstance(sha256, str) else None
    if text is None or persisted.get("version") != 1:
        return GraphQLError(
            "No registered document has this id (extensions.persistedQuery: version 1 "
            "and the sha256Hash of a registered document); nothing was run.",
            extensions={"code": PERSISTED_QUERY_NOT_FOUND},
        )
    if request.query is not None and document_id(request.query) != sha256:
        return GraphQLError(
            "The query sent is not the registered document of this id; nothing was run.",
            extensions={"code": PERSISTED_QUERY_MISMATCH},
        )
    return dataclasses.replace(request, query=text)


class WidgetDocuments(SchemaExtension):
    """With `registered`, refuses a document from a widget key unless it is, to the
    character, a registered one: one FORBIDDEN error and nothing runs. Checked once the
    document is validated (its validation errors are replaced, so they tell a widget
    key nothing about the schema); other roles and anonymous callers are untouched."""

    def __init__(self, policy: WidgetOperations) -> None:
        super().__init__()
        self.policy = policy

    async def on_validate(self) -> AsyncIterator[None]:
        execution = self.execution_context
        if self.policy == "registered" and not is_registered(execution.query or ""):
            context = execution.context
            if isinstance(context, Context):
                principal = await context.authenticate()
                if principal is not None and principal.role is Role.WIDGET:
                    execution.pre_execution_errors = [
                        GraphQLError(
                            "Widget keys may send only the banner's registered documents "
                            "on this hub (HUB_WIDGET_OPERATIONS=registered).",
                            extensions={"code": "FORBIDDEN"},
                        )
                    ]
        yield
