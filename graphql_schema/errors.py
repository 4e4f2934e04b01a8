"""Expected failures of mutations, returned as members of each result union."""

import strawberry
from graphql import GraphQLError

from hub.errors import Conflict, DomainError, NotFound
from hub.errors import ErrorCode as DomainErrorCode

ErrorCode = strawberry.enum(DomainErrorCode, name="ErrorCode")


@strawberry.interface
class UserError:
    message: str
    code: ErrorCode  # type: ignore[valid-type]
    field: str | None = strawberry.field(description="The input field at fault, dot-separated.")


@strawberry.type(description="The input was not acceptable; nothing was changed.")
class ValidationError(UserError):
    pass


@strawberry.type(description="A thing the input names does not exist.")
class NotFoundError(UserError):
    pass


@strawberry.type(description="The request conflicts with the current state; nothing changed.")
class ConflictError(UserError):
    pass


def user_error(error: DomainError) -> ValidationError | NotFoundError | ConflictError:
    kind: type[ValidationError | NotFoundError | ConflictError] = ValidationError
    if isinstance(error, NotFound):
        kind = NotFoundError
    elif isinstance(error, Conflict):
        kind = ConflictError
    return kind(message=error.message, code=error.code, field=error.field)


def query_error(error: DomainError) -> GraphQLError:
    """A query cannot return a union of errors; its expected failures are top-level
    errors with the same code."""
    extensions: dict[str, object] = {"code": error.code.value}
    if error.field:
        extensions["field"] = error.field
    return GraphQLError(error.message, extensions=extensions)
