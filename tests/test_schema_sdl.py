"""The committed SDL is the API under review: it must match the code."""

from pathlib import Path

from graphql_schema.schema import build_schema

SDL = Path(__file__).resolve().parent.parent / "schema.graphql"


def test_committed_schema_matches_the_code() -> None:
    exported = build_schema().as_str() + "\n"

    assert SDL.read_text() == exported, "schema.graphql is stale: run `make schema`"
