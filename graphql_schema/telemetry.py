"""Tells the request's telemetry which GraphQL operation ran, for whom (role and key
label, never a person) and how it ended."""

from __future__ import annotations

import re
from collections.abc import Iterator

from strawberry.extensions import SchemaExtension

from graphql_schema.context import Context
from hub.logs import current_request

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")


class OperationFacts(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        yield
        facts = current_request.get()
        if facts is None:
            return
        execution = self.execution_context
        name = execution.operation_name
        facts.operation = name if name and _NAME.fullmatch(name) else "anonymous"
        context = execution.context
        if isinstance(context, Context) and context.principal is not None:
            facts.role = context.principal.role.value
            facts.key_label = context.principal.label
        result = execution.result
        errors = getattr(result, "errors", None) if result is not None else None
        if execution.pre_execution_errors or errors:
            codes = {
                str((error.extensions or {}).get("code", "ERROR"))
                for error in (errors or execution.pre_execution_errors or [])
            }
            facts.outcome = "error:" + ",".join(sorted(codes))[:60]
        else:
            facts.outcome = "ok"
