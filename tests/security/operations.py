"""Minimal valid operations for any root field, built from the schema itself, so the
security tests cover every field, including ones added later."""

from __future__ import annotations

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLUnionType,
    get_named_type,
)
from graphql.pyutils import Undefined

from graphql_schema.schema import build_schema

SCALARS: dict[str, str] = {
    "String": '"x"',
    "ID": '"x"',
    "Int": "1",
    "Float": "1.0",
    "Boolean": "true",
    "DateTime": '"2026-01-01T00:00:00+00:00"',
    "Date": '"2026-01-01"',
    "JSON": "{}",
}


def graphql_schema() -> GraphQLSchema:
    return build_schema()._schema


def value_for(type_: GraphQLInputType) -> str:
    if isinstance(type_, GraphQLNonNull):
        return value_for(type_.of_type)
    if isinstance(type_, GraphQLList):
        return f"[{value_for(type_.of_type)}]"
    if isinstance(type_, GraphQLEnumType):
        return str(next(iter(type_.values)))
    if isinstance(type_, GraphQLInputObjectType):
        required = [
            f"{name}: {value_for(field.type)}"
            for name, field in type_.fields.items()
            if isinstance(field.type, GraphQLNonNull) and field.default_value is Undefined
        ]
        return "{" + ", ".join(required) + "}"
    assert isinstance(type_, GraphQLScalarType)
    return SCALARS[type_.name]


def selection_for(field: GraphQLField) -> str:
    named = get_named_type(field.type)
    if isinstance(named, GraphQLObjectType | GraphQLUnionType | GraphQLInterfaceType):
        return " { __typename }"
    return ""


def operation(kind: str, name: str, field: GraphQLField) -> str:
    arguments = [
        f"{arg_name}: {value_for(arg.type)}"
        for arg_name, arg in field.args.items()
        if isinstance(arg.type, GraphQLNonNull) and arg.default_value is Undefined
    ]
    args = f"({', '.join(arguments)})" if arguments else ""
    return f"{kind} {{ {name}{args}{selection_for(field)} }}"


def root_operations() -> dict[str, str]:
    """Every Query and Mutation root field with a minimal document calling it."""
    schema = graphql_schema()
    found: dict[str, str] = {}
    for kind, root in (("query", schema.query_type), ("mutation", schema.mutation_type)):
        if root is None:
            continue
        for name, field in root.fields.items():
            found[name] = operation(kind, name, field)
    return found
