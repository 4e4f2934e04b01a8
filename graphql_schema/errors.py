"""Expected failures: a mutation returns them as members of its result union, a query
(which has no room for one) raises them as top-level errors with the same code."""

from collections.abc import AsyncGenerator, Callable, Sequence
from contextlib import aclosing
from typing import Any, TypeAlias

import strawberry
from graphql import GraphQLError
from strawberry.extensions import FieldExtension
from strawberry.extensions.field_extension import AsyncExtensionResolver
from strawberry.permission import BasePermission
from strawberry.types.field import StrawberryField
from strawberry.types.union import StrawberryUnion

from hub.errors import Conflict, DomainError, NotFound
from hub.errors import ErrorCode as DomainErrorCode

ErrorCode: TypeAlias = DomainErrorCode
strawberry.enum(ErrorCode, name="ErrorCode")


@strawberry.interface
class UserError:
    message: str
    code: ErrorCode
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


class DomainErrors(FieldExtension):
    """Turns a `DomainError` the resolver raises into the member of the mutation's
    result union that names it (`user_error`); a union without that member gets a
    `ValidationError` with the same message, code and field. A mutation whose result
    is not a union lets the error through."""

    def apply(self, field: StrawberryField) -> None:
        self._field = field

    async def resolve_async(
        self, next_: AsyncExtensionResolver, source: Any, info: strawberry.Info, **kwargs: Any
    ) -> Any:
        try:
            return await next_(source, info, **kwargs)
        except DomainError as error:
            union = self._field.type
            if not isinstance(union, StrawberryUnion):
                raise
            failed = user_error(error)
            if type(failed) not in union.types:
                return ValidationError(message=failed.message, code=failed.code, field=failed.field)
            return failed


def mutation(
    *,
    description: str | None = None,
    permission_classes: Sequence[type[BasePermission]] = (),
) -> Callable[[Callable[..., Any]], StrawberryField]:
    """`strawberry.mutation` whose resolver may raise `DomainError`: the error comes back
    as a member of the result union (see `DomainErrors`)."""
    field: StrawberryField = strawberry.mutation(
        description=description,
        permission_classes=list(permission_classes),
        extensions=[DomainErrors()],
    )
    return field


def query_error(error: DomainError) -> GraphQLError:
    """A query cannot return a union of errors; its expected failures are top-level
    errors with the same code."""
    extensions: dict[str, object] = {"code": error.code.value}
    if error.field:
        extensions["field"] = error.field
    return GraphQLError(error.message, extensions=extensions)


class QueryErrors(FieldExtension):
    """Turns a `DomainError` the resolver raises into the top-level error that names it
    (`query_error`). With `missing_is_null`, a `NotFound` answers null instead, for a
    field that looks one thing up by id. On a subscription it guards the event stream,
    where the resolver's checks run when the stream is first read."""

    def __init__(self, missing_is_null: bool = False) -> None:
        super().__init__()
        self.missing_is_null = missing_is_null

    def _answer(self, error: DomainError) -> None:
        """Null for a missing thing where the field asks for that; else the error."""
        if not (self.missing_is_null and isinstance(error, NotFound)):
            raise query_error(error) from None

    async def resolve_async(
        self, next_: AsyncExtensionResolver, source: Any, info: strawberry.Info, **kwargs: Any
    ) -> Any:
        try:
            result = next_(source, info, **kwargs)
            if isinstance(result, AsyncGenerator):
                return self._guarded(result)
            return await result
        except DomainError as error:
            return self._answer(error)

    async def _guarded(self, events: AsyncGenerator[Any, None]) -> AsyncGenerator[Any, None]:
        try:
            async with aclosing(events):
                async for event in events:
                    yield event
        except DomainError as error:
            self._answer(error)


def query(
    *,
    description: str | None = None,
    permission_classes: Sequence[type[BasePermission]] = (),
    missing_is_null: bool = False,
) -> Callable[[Callable[..., Any]], StrawberryField]:
    """`strawberry.field` for a query whose resolver may raise `DomainError`: the error
    comes back as a top-level error with its code and field (see `QueryErrors`)."""
    field: StrawberryField = strawberry.field(
        description=description,
        permission_classes=list(permission_classes),
        extensions=[QueryErrors(missing_is_null)],
    )
    return field


def subscription(
    *,
    description: str | None = None,
    permission_classes: Sequence[type[BasePermission]] = (),
) -> Callable[[Callable[..., Any]], StrawberryField]:
    """`strawberry.subscription` whose resolver may raise `DomainError` before its first
    event: the stream answers the error's code and field (see `QueryErrors`)."""
    field: StrawberryField = strawberry.subscription(
        description=description,
        permission_classes=list(permission_classes),
        extensions=[QueryErrors()],
    )
    return field
