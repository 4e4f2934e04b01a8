"""The limits on a document's shape: its depth, its aliases and its tokens. A document
beyond one is refused before it runs with the code QUERY_TOO_COMPLEX and the name of
the limit it passed, so a client tells it apart from a mistake in the document (which
carries no code) and the telemetry counts it under a known outcome."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Literal

from graphql import ASTValidationRule, GraphQLError, GraphQLSyntaxError, ValidationContext
from strawberry.extensions import (
    MaxAliasesLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)

from graphql_schema.context import Context

QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX"

Limit = Literal["depth", "aliases", "tokens"]


def mark_too_complex(error: GraphQLError, limit: Limit) -> GraphQLError:
    """The error, with the code and the limit it passed; its message is left as it is."""
    error.extensions = {**(error.extensions or {}), "code": QUERY_TOO_COMPLEX, "limit": limit}
    return error


def _marking(rule: type[ASTValidationRule], limit: Limit) -> type[ASTValidationRule]:
    """`rule`, with every error it reports marked as passing `limit`.

    Strawberry's limiters report through the validation context while they are built
    (they measure the whole document at once), so the context's error callback is
    wrapped for exactly that time: errors of the other rules are left alone."""

    class Marking(rule):  # type: ignore[misc, valid-type]
        def __init__(self, context: ValidationContext) -> None:
            report: Callable[[GraphQLError], None] = context.on_error

            def marked(error: GraphQLError) -> None:
                report(mark_too_complex(error, limit))

            context.on_error = marked  # type: ignore[method-assign]
            try:
                super().__init__(context)
            finally:
                context.on_error = report  # type: ignore[method-assign, assignment]

    Marking.__name__ = f"{limit.capitalize()}Limit"
    return Marking


def shape_rules(max_depth: int, max_aliases: int) -> list[type[ASTValidationRule]]:
    """The validation rules of the depth and alias limits."""
    return [
        *(_marking(r, "depth") for r in QueryDepthLimiter(max_depth=max_depth).validation_rules),
        *(
            _marking(r, "aliases")
            for r in MaxAliasesLimiter(max_alias_count=max_aliases).validation_rules
        ),
    ]


class TokenLimit(SchemaExtension):
    """At most `max_tokens` tokens in a document: the parser stops at the first one
    beyond (before the document is built) and its syntax error is marked."""

    def __init__(self, max_tokens: int) -> None:
        self.max_tokens = max_tokens
        self.refusal = f"Document contains more than {max_tokens} tokens. Parsing aborted."

    def on_operation(self) -> Iterator[None]:
        self.execution_context.parse_options["max_tokens"] = self.max_tokens
        yield

    def on_parse(self) -> Iterator[None]:
        yield
        for error in self.execution_context.pre_execution_errors or []:
            if isinstance(error, GraphQLSyntaxError) and error.message.endswith(self.refusal):
                mark_too_complex(error, "tokens")


class ParsedDocuments(ParserCache):
    """Strawberry's parser cache, except that a document that does not parse is left
    to strawberry's own parsing, which answers with the syntax error as the result of
    the operation. Raised from the cache's hook, the error would leave a subscription
    over the websocket unanswered, and skip the hooks that mark it."""

    def on_parse(self) -> Iterator[None]:
        execution = self.execution_context
        with contextlib.suppress(GraphQLError):
            execution.graphql_document = self.cached_parse_document(
                execution.query, **execution.parse_options
            )
        yield


class TransportWS(BaseGraphQLTransportWSHandler[Context, None]):
    """graphql-transport-ws, answering a document beyond the token limit with an
    `error` message that carries its code, as for the other limits. Strawberry closes
    the socket (4400) on any syntax error, and the parser refuses a long document with
    one."""

    @staticmethod
    def _get_pre_execution_close_reason(error: GraphQLError) -> str | None:
        if (error.extensions or {}).get("code") == QUERY_TOO_COMPLEX:
            return None
        return BaseGraphQLTransportWSHandler._get_pre_execution_close_reason(error)
