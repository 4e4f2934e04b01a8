"""A GraphQL client that posts documents to the app as a given role."""

from __future__ import annotations

import json
from typing import Any

import httpx

from hub.models.common import Role


class GraphQLClient:
    """Posts GraphQL documents to the app as a given role."""

    def __init__(self, http: httpx.AsyncClient, tokens: dict[Role, str]) -> None:
        self.http = http
        self.tokens = tokens

    async def raw(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        role: Role | None = None,
        token: str | None = None,
    ) -> dict[str, Any]:
        return await self.post({"query": query, "variables": variables or {}}, role, token)

    async def persisted(
        self,
        document_id: str,
        variables: dict[str, Any] | None = None,
        role: Role | None = None,
        query: str | None = None,
    ) -> dict[str, Any]:
        """A document sent by id, as widget.js sends it (with `query` too if given)."""
        body: dict[str, Any] = {
            "variables": variables or {},
            "extensions": {"persistedQuery": {"version": 1, "sha256Hash": document_id}},
        }
        if query is not None:
            body["query"] = query
        return await self.post(body, role)

    async def post(
        self, body: dict[str, Any], role: Role | None = None, token: str | None = None
    ) -> dict[str, Any]:
        """Any request body, answered with HTTP 200."""
        headers = {"content-type": "application/json"}
        bearer = token if token is not None else (self.tokens[role] if role else None)
        if bearer is not None:
            headers["Authorization"] = f"Bearer {bearer}"
        # Encoded as Slack and browsers do, non-ASCII escaped: a lone surrogate in a
        # variable reaches the hub as `\ud800`, as a hostile client would send it.
        payload = json.dumps(body)
        response = await self.http.post("/graphql", content=payload.encode(), headers=headers)
        assert response.status_code == 200, response.text
        answer: dict[str, Any] = response.json()
        return answer

    async def ok(
        self, query: str, variables: dict[str, Any] | None = None, role: Role | None = None
    ) -> dict[str, Any]:
        """The data of a call that must have no top-level errors."""
        body = await self.raw(query, variables, role)
        assert not body.get("errors"), body.get("errors")
        data: dict[str, Any] = body["data"]
        return data

    async def error_code(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        role: Role | None = None,
        token: str | None = None,
    ) -> str:
        """The code of the first top-level error of a call that must fail."""
        body = await self.raw(query, variables, role, token)
        assert body.get("errors"), body
        code: str = body["errors"][0]["extensions"]["code"]
        return code


def nodes(connection: dict[str, Any]) -> list[Any]:
    """The nodes of a page of a Relay connection, in order."""
    return [edge["node"] for edge in connection["edges"]]
