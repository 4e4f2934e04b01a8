"""Tells the request's telemetry which GraphQL operation ran, for whom (role and key
label, never a person) and how it ended."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator, Sequence

from graphql import GraphQLError
from pymongo.errors import PyMongoError
from strawberry.extensions import SchemaExtension

from graphql_schema.context import Context
from graphql_schema.limits import QUERY_TOO_COMPLEX
from graphql_schema.persisted import PERSISTED_QUERY_MISMATCH, PERSISTED_QUERY_NOT_FOUND
from hub.errors import ErrorCode
from hub.logs import current_request
from hub.services.privacy.audit import actor_of

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")


class OperationFacts(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        raised: list[GraphQLError] = []
        try:
            yield
        except GraphQLError as error:
            # Raised out of execution (a query stopped at the time limit): it is the
            # request's only error.
            raised.append(error)
            raise
        finally:
            self._record(raised)

    def _record(self, raised: list[GraphQLError]) -> None:
        facts = current_request.get()
        if facts is None:
            return
        execution = self.execution_context
        facts.operation = _operation(execution.operation_name)
        context = execution.context
        if isinstance(context, Context) and context.principal is not None:
            facts.role = context.principal.role.value
            facts.key_label = context.principal.label
        result = execution.result
        errors = getattr(result, "errors", None) if result is not None else None
        failed = raised or errors or execution.pre_execution_errors
        facts.outcome = error_outcome(failed) if failed else "ok"


def _operation(name: str | None) -> str:
    return name if name and _NAME.fullmatch(name) else "anonymous"


def record_refusal(operation_name: str | None, error: GraphQLError) -> None:
    """Tells the telemetry of a request answered before the schema saw it (a persisted
    id the hub does not know): its operation as named by the caller, and the error."""
    facts = current_request.get()
    if facts is not None:
        facts.operation = _operation(operation_name)
        facts.outcome = error_outcome([error])


# The codes errors carry: the domain's, and those of permissions and the error policy.
KNOWN_CODES = frozenset(code.value for code in ErrorCode) | {
    "UNAUTHENTICATED",
    "FORBIDDEN",
    "UNAVAILABLE",
    "INTERNAL_SERVER_ERROR",
    "QUERY_TOO_EXPENSIVE",
    QUERY_TOO_COMPLEX,
    "TIMEOUT",
    PERSISTED_QUERY_NOT_FOUND,
    PERSISTED_QUERY_MISMATCH,
}


def error_outcome(errors: Sequence[GraphQLError]) -> str:
    """`error:<CODE>` with the one code the errors carry (`ERROR` for errors without a
    known code, such as a document that does not validate), or `error:MIXED`: a fixed
    set of outcomes, however the caller combines errors in one document."""
    codes = {str((error.extensions or {}).get("code", "ERROR")) for error in errors}
    if len(codes) > 1:
        return "error:MIXED"
    code = codes.pop()
    return "error:" + (code if code in KNOWN_CODES else "ERROR")


MAX_REVEALED_IDS = 1000


class RevealAudit(SchemaExtension):
    """Writes one audit entry per operation that showed personal data unmasked: who
    (the key), what kind and which documents. Never the data itself."""

    async def on_operation(self) -> AsyncIterator[None]:
        yield
        context = self.execution_context.context
        if not isinstance(context, Context) or not context.revealed:
            return
        ids = sorted(i for found in context.revealed.values() for i in found)
        try:
            await context.services.audit.record(
                actor_of(context.principal),
                "personal_data.reveal",
                target_ids=ids[:MAX_REVEALED_IDS],
                details={kind: len(found) for kind, found in sorted(context.revealed.items())},
            )
        except PyMongoError:
            # No reveal without its audit entry: the answer is withheld.
            result = self.execution_context.result
            if result is not None:
                result.data = None
                result.errors = [
                    GraphQLError(
                        "The audit log is unavailable; try again shortly.",
                        extensions={"code": "UNAVAILABLE"},
                    )
                ]
