"""A resolver raises `DomainError`; a field extension turns it into the member of a
mutation's result union, or into a query's top-level error with the same code and
field, once for every field: no resolver catches it by hand."""

import ast
from collections.abc import AsyncGenerator
from pathlib import Path
from typing import Annotated

import strawberry

from graphql_schema.errors import (
    ConflictError,
    NotFoundError,
    ValidationError,
    mutation,
    query,
    subscription,
)
from hub.errors import Conflict, DomainError, ErrorCode, NotFound, ValidationFailed


@strawberry.type
class Ok:
    value: int


WideResult = Annotated[
    Ok | ValidationError | NotFoundError | ConflictError, strawberry.union("WideResult")
]
NarrowResult = Annotated[Ok | ValidationError, strawberry.union("NarrowResult")]


@strawberry.type
class Query:
    @query()
    async def lookup(self, kind: str) -> int:
        if kind == "invalid":
            raise ValidationFailed(ErrorCode.INVALID_INPUT, "first must be from 1 to 9.", "first")
        if kind == "missing":
            raise NotFound("Request", "id")
        return 1

    @query(missing_is_null=True)
    async def maybe(self, kind: str) -> int | None:
        if kind == "missing":
            raise NotFound("Follow-up", "id")
        raise ValidationFailed(ErrorCode.INVALID_INPUT, "Not an id.", "id")


@strawberry.type
class Subscription:
    @subscription()
    async def events(self, valid: bool) -> AsyncGenerator[int, None]:
        if not valid:
            raise ValidationFailed(ErrorCode.INVALID_COUNTRY, "Not a country.", "filter.country")
        yield 1


@strawberry.type
class Mutation:
    @mutation()
    async def wide(self, kind: str) -> WideResult:
        if kind == "conflict":
            raise Conflict(ErrorCode.ALREADY_CLAIMED, "Already claimed.", "id")
        if kind == "missing":
            raise NotFound("Follow-up", "id")
        return Ok(value=1)

    @mutation()
    async def narrow(self) -> NarrowResult:
        raise NotFound("Request", "id")

    @mutation()
    async def plain(self) -> int:
        raise DomainError(ErrorCode.INVALID_INPUT, "Not a union.")


schema = strawberry.Schema(query=Query, mutation=Mutation, subscription=Subscription)

FIELDS = "__typename ... on UserError { code message field } ... on Ok { value }"


async def test_conflict_comes_back_as_its_union_member() -> None:
    result = await schema.execute(f'mutation {{ wide(kind: "conflict") {{ {FIELDS} }} }}')
    assert result.errors is None
    assert result.data == {
        "wide": {
            "__typename": "ConflictError",
            "code": "ALREADY_CLAIMED",
            "message": "Already claimed.",
            "field": "id",
        }
    }


async def test_not_found_comes_back_as_its_union_member() -> None:
    result = await schema.execute(f'mutation {{ wide(kind: "missing") {{ {FIELDS} }} }}')
    assert result.errors is None
    assert result.data is not None
    assert result.data["wide"]["__typename"] == "NotFoundError"
    assert result.data["wide"]["code"] == "NOT_FOUND"


async def test_success_passes_through() -> None:
    result = await schema.execute(f'mutation {{ wide(kind: "ok") {{ {FIELDS} }} }}')
    assert result.errors is None
    assert result.data == {"wide": {"__typename": "Ok", "value": 1}}


async def test_union_without_the_member_gets_a_validation_error() -> None:
    result = await schema.execute(f"mutation {{ narrow {{ {FIELDS} }} }}")
    assert result.errors is None
    assert result.data == {
        "narrow": {
            "__typename": "ValidationError",
            "code": "NOT_FOUND",
            "message": "Request not found.",
            "field": "id",
        }
    }


async def test_result_that_is_no_union_gets_a_top_level_error() -> None:
    result = await schema.execute("mutation { plain }")
    assert result.errors is not None
    assert result.errors[0].message == "Not a union."


async def test_a_query_answers_a_domain_error_at_the_top_level_with_its_code_and_field() -> None:
    result = await schema.execute('{ lookup(kind: "invalid") }')

    assert result.data is None and result.errors is not None
    [error] = result.errors
    assert error.message == "first must be from 1 to 9."
    assert error.extensions == {"code": "INVALID_INPUT", "field": "first"}
    assert error.path == ["lookup"]


async def test_a_query_that_succeeds_passes_through() -> None:
    result = await schema.execute('{ lookup(kind: "ok") }')
    assert result.errors is None and result.data == {"lookup": 1}


async def test_a_lookup_by_id_answers_null_for_what_is_missing_and_an_error_otherwise() -> None:
    missing = await schema.execute('{ maybe(kind: "missing") }')
    invalid = await schema.execute('{ maybe(kind: "invalid") }')

    assert missing.errors is None and missing.data == {"maybe": None}
    assert invalid.errors is not None
    assert invalid.errors[0].extensions == {"code": "INVALID_INPUT", "field": "id"}


async def test_a_subscription_answers_a_domain_error_before_its_first_event() -> None:
    refused = await schema.subscribe("subscription { events(valid: false) }")
    accepted = await schema.subscribe("subscription { events(valid: true) }")

    assert isinstance(refused, AsyncGenerator) and isinstance(accepted, AsyncGenerator)
    results = [result async for result in refused]
    assert [result.data for result in results] == [None]
    assert results[0].errors is not None
    assert results[0].errors[0].extensions == {"code": "INVALID_COUNTRY", "field": "filter.country"}
    assert [result.data async for result in accepted] == [{"events": 1}]


def _catches_domain_error(handler: ast.ExceptHandler) -> bool:
    caught = handler.type
    names = caught.elts if isinstance(caught, ast.Tuple) else [caught]
    return any(isinstance(name, ast.Name) and name.id == "DomainError" for name in names)


def test_no_resolver_catches_domain_errors_by_hand() -> None:
    """Only the field extensions of graphql_schema/errors.py turn them into answers."""
    package = Path(__file__).resolve().parents[2] / "graphql_schema"
    catching = [
        f"{path.relative_to(package)}:{handler.lineno}"
        for path in sorted(package.rglob("*.py"))
        if path.name != "errors.py"
        for handler in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(handler, ast.ExceptHandler) and _catches_domain_error(handler)
    ]
    assert catching == []
