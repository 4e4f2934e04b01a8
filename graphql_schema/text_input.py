"""Text arguments are checked once, at the edge, before any resolver sees them.

Every String and ID argument of every field, nested input objects and lists included,
must be well-formed Unicode without control characters (`well_formed_text`). Free
text — comments, notes, reasons, messages, survey texts — may hold tabs and line
breaks; everything else (keys, ids, names, addresses, cursors) is one line. A value
that breaks the rule is answered like any invalid input, naming the argument's path
(`recipients.1.email`): a mutation gets the `ValidationError` member of its result
union, anything else a top-level error with code INVALID_INPUT. Nothing runs, so
nothing changes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import GraphQLResolveInfo
from strawberry.extensions import SchemaExtension
from strawberry.types.field import StrawberryField
from strawberry.types.union import StrawberryUnion

from graphql_schema.errors import ValidationError, query_error
from hub.errors import ValidationFailed
from hub.services.platform.validation import well_formed_text

# Argument and input field names (as in the schema) whose values are free text.
FREE_TEXT = frozenset(
    {"comment", "note", "reason", "message", "verificationNote", "question", "followUp", "thankYou"}
)


def check_text(value: object, path: str, name: str) -> None:
    """Check every string in `value`, found at `path` under the field called `name`."""
    if isinstance(value, str):
        well_formed_text(value, path, free_text=name in FREE_TEXT)
    elif isinstance(value, dict):
        for key, item in value.items():
            check_text(item, f"{path}.{key}", key)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            check_text(item, f"{path}.{index}", name)


class TextArguments(SchemaExtension):
    """Refuses a field whose arguments hold malformed text (see the module's doc)."""

    def resolve(
        self,
        _next: Callable[..., Any],
        root: Any,
        info: GraphQLResolveInfo[Any],
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        try:
            for name, value in kwargs.items():
                check_text(value, name, name)
        except ValidationFailed as error:
            return _refusal(info, error)
        return _next(root, info, *args, **kwargs)


def _refusal(info: GraphQLResolveInfo[Any], error: ValidationFailed) -> ValidationError:
    definition = info.parent_type.fields[info.field_name].extensions.get("strawberry-definition")
    if isinstance(definition, StrawberryField):
        result = definition.type
        if isinstance(result, StrawberryUnion) and ValidationError in result.types:
            return ValidationError(message=error.message, code=error.code, field=error.field)
    raise query_error(error)
