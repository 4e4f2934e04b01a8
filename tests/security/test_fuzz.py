"""Property-based fuzzing of the whole GraphQL API, for every role and without a token:
generated valid and invalid operations never cause a 500 or an unmasked error, and an
operation that fails changes nothing. Two generators: hypothesis-graphql's documents
over the whole schema (each failure checked against a snapshot of the database), and
Schemathesis's cases per operation, every operation in turn."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import graphql
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import Mode, from_schema
from schemathesis import GenerationMode
from schemathesis.core.result import Ok
from schemathesis.schemas import APIOperation

from graphql_schema.schema import build_schema
from hub.models.common import Role
from hub.services import Services
from tests.factories import make_survey
from tests.security.operations import graphql_schema, root_operations
from tests.support.graphql import GraphQLClient

# Subprocesses, real servers, restarts or fuzzing: not in `make test-fast`.
pytestmark = pytest.mark.slow

SCHEMA = graphql_schema()
DATETIMES = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
).map(lambda moment: graphql.StringValueNode(value=moment.isoformat()))
CUSTOM_SCALARS = {"DateTime": DATETIMES}
LEAKS = ("Traceback", "Exception", "Error(", 'File "', "pymongo", "beanie")
ERROR_TYPES = {"ValidationError", "NotFoundError", "ConflictError"}


def single_fields(document: str) -> list[str]:
    """Split a generated operation into one operation per root field, each selecting
    `__typename` too, so an error member of a result union is always recognised and a
    failure is never mixed with another field's success. Unparsable documents (the
    invalid mode's) are sent as they are."""
    try:
        parsed = graphql.parse(document)
    except graphql.GraphQLError:
        return [document]
    operations = [d for d in parsed.definitions if isinstance(d, graphql.OperationDefinitionNode)]
    if len(operations) != 1:
        return [document]
    operation = operations[0]
    typename = graphql.FieldNode(name=graphql.NameNode(value="__typename"))
    split: list[str] = []
    for selection in operation.selection_set.selections:
        if isinstance(selection, graphql.FieldNode) and selection.selection_set is not None:
            selections = (*selection.selection_set.selections, typename)
            selection = dataclasses.replace(
                selection, selection_set=graphql.SelectionSetNode(selections=selections)
            )
        alone = graphql.OperationDefinitionNode(
            operation=operation.operation,
            variable_definitions=operation.variable_definitions,
            directives=operation.directives,
            selection_set=graphql.SelectionSetNode(selections=(selection,)),
        )
        split.append(graphql.print_ast(graphql.DocumentNode(definitions=(alone,))))
    return split


def failed(body: dict[str, Any]) -> bool:
    """True if the call reported an error, top-level or as an error member of a union."""
    if body.get("errors"):
        return True

    def walk(value: Any) -> bool:
        if isinstance(value, dict):
            if value.get("__typename") in ERROR_TYPES or (
                "code" in value and set(value) <= {"message", "code", "field", "__typename"}
            ):
                return True
            return any(walk(item) for item in value.values())
        if isinstance(value, list):
            return any(walk(item) for item in value)
        return False

    return walk(body.get("data"))


async def check(
    gql: GraphQLClient,
    snapshot: Callable[[], Awaitable[str]],
    document: str,
    role: Role | None,
) -> None:
    before = await snapshot()
    response = await gql.http.post(
        "/graphql",
        json={"query": document},
        headers={"Authorization": f"Bearer {gql.tokens[role]}"} if role else {},
    )
    assert response.status_code in (200, 400), (response.status_code, document)
    body = response.json()
    for error in body.get("errors") or []:
        assert error.get("extensions", {}).get("code") != "INTERNAL_SERVER_ERROR", document
        assert not any(leak in error["message"] for leak in LEAKS), error
    if failed(body):
        assert await snapshot() == before, document


ROLES = [None, *Role]


@pytest.mark.parametrize("role", ROLES, ids=lambda role: role.value if role else "anonymous")
@pytest.mark.parametrize("mode", [Mode.POSITIVE, Mode.NEGATIVE], ids=["valid", "invalid"])
async def test_fuzzed_operations_fail_cleanly(
    role: Role | None,
    mode: Mode,
    services: Services,
    gql: GraphQLClient,
    snapshot: Callable[[], Awaitable[str]],
) -> None:
    await make_survey(services, key="nps-main")

    # Hypothesis draws the documents; they are then sent one by one on the test's loop.
    documents: list[str] = []

    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        database=None,
    )
    @given(document=from_schema(SCHEMA, custom_scalars=CUSTOM_SCALARS, mode=mode))
    def draw(document: str) -> None:
        documents.append(document)

    draw()
    assert documents
    for document in documents:
        for operation in single_fields(document):
            await check(gql, snapshot, operation, role)


# Schemathesis: every operation of the schema, a few cases each, valid and invalid, sent
# with every role's token and none. Bounded so the test stays within a couple of minutes
# on a busy two-core machine.
OPERATIONS = [
    result.ok()
    for result in schemathesis.graphql.from_file(build_schema().as_str()).get_all_operations()
    if isinstance(result, Ok)  # the schema is ours and valid: every operation loads
]
CASES = {GenerationMode.POSITIVE: 15, GenerationMode.NEGATIVE: 8}


def schemathesis_documents(
    operation: APIOperation[Any, Any, Any, Any], mode: GenerationMode, count: int
) -> list[str]:
    """Up to `count` documents Schemathesis generates for `operation` in `mode`."""
    documents: list[str] = []

    @settings(
        max_examples=count,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def draw(case: Any) -> None:
        documents.append(str(case.body))

    draw()
    return documents


async def test_schemathesis_cases_never_end_in_an_internal_error(
    services: Services, gql: GraphQLClient
) -> None:
    await make_survey(services, key="nps-main")
    assert sorted(operation.label.split(".")[1] for operation in OPERATIONS) == sorted(
        root_operations()
    )
    faults: list[tuple[str, str, str]] = []

    for operation in OPERATIONS:
        for mode, count in CASES.items():
            for document in schemathesis_documents(operation, mode, count):
                for role in ROLES:
                    headers = {"content-type": "application/json"}
                    if role is not None:
                        headers["Authorization"] = f"Bearer {gql.tokens[role]}"
                    response = await gql.http.post(
                        "/graphql", content=json.dumps({"query": document}), headers=headers
                    )
                    who = role.value if role else "anonymous"
                    if response.status_code >= 500:
                        faults.append((who, str(response.status_code), document))
                        continue
                    codes = {
                        (error.get("extensions") or {}).get("code")
                        for error in response.json().get("errors") or []
                    }
                    if "INTERNAL_SERVER_ERROR" in codes:
                        faults.append((who, "INTERNAL_SERVER_ERROR", document))

    assert faults == []
