"""A mutation's resolver raises `DomainError`; the field extension returns it as the
member of the result union, once for every mutation."""

from typing import Annotated

import strawberry

from graphql_schema.errors import ConflictError, NotFoundError, ValidationError, mutation
from hub.errors import Conflict, DomainError, ErrorCode, NotFound


@strawberry.type
class Ok:
    value: int


WideResult = Annotated[
    Ok | ValidationError | NotFoundError | ConflictError, strawberry.union("WideResult")
]
NarrowResult = Annotated[Ok | ValidationError, strawberry.union("NarrowResult")]


@strawberry.type
class Query:
    ping: int = 1


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


schema = strawberry.Schema(query=Query, mutation=Mutation)

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
