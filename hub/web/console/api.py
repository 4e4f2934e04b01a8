"""The console's only way to the data: the GraphQL API, run as the signed-in person.

hub/server/console.py builds the `Execute` function from the schema; pages call it
through `ConsoleView.query`/`mutate`, so every figure, mask and refusal is the API's."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from starlette.requests import Request

from hub.services.access.keys import Principal


@dataclass(frozen=True)
class ApiError:
    message: str
    code: str


@dataclass(frozen=True)
class Answer:
    data: dict[str, Any] | None
    errors: list[ApiError] = field(default_factory=list)


class Execute(Protocol):
    async def __call__(
        self,
        request: Request,
        document: str,
        variables: Mapping[str, Any],
        principal: Principal,
    ) -> Answer: ...


class ApiRefused(Exception):
    """The API refused the signed-in person (FORBIDDEN or UNAUTHENTICATED)."""


class ApiFailed(Exception):
    """The API answered with an error that is not a refusal (a database outage, an
    unexpected fault): the page says so and changes nothing."""

    def __init__(self, errors: list[ApiError]) -> None:
        super().__init__("; ".join(error.code for error in errors))
        self.errors = errors


REFUSALS = frozenset({"FORBIDDEN", "UNAUTHENTICATED"})


def checked(answer: Answer) -> dict[str, Any]:
    """The answer's data, or the error a page shows instead."""
    if answer.errors:
        if any(error.code in REFUSALS for error in answer.errors):
            raise ApiRefused()
        raise ApiFailed(answer.errors)
    return answer.data or {}
