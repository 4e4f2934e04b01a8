"""GraphiQL (GET /graphql in a browser) has the headers of every other page: it
cannot be framed, and its CSP allows the hub's own files only, which serve every
script and style the page loads (no CDN)."""

from __future__ import annotations

import re

import httpx

HTML = {"accept": "text/html"}
LOADED = re.compile(r'<(?:script|link)\b[^>]*\b(?:src|href)="([^"]+)"')


def directives(policy: str) -> dict[str, list[str]]:
    parts = (part.split() for part in policy.split(";") if part.strip())
    return {name: values for name, *values in parts}


async def test_graphiql_has_the_headers_of_every_page(http: httpx.AsyncClient) -> None:
    page = await http.get("/graphql", headers=HTML)

    assert page.status_code == 200
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "no-referrer"
    csp = directives(page.headers["content-security-policy"])
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["default-src"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"]
    assert csp["script-src"] == ["'self'"]  # no inline script, no eval, no CDN
    assert csp["style-src"] == ["'self'"]
    assert csp["connect-src"] == ["'self'"]


async def test_every_file_graphiql_loads_comes_from_the_hub(http: httpx.AsyncClient) -> None:
    page = (await http.get("/graphql", headers=HTML)).text
    loaded = LOADED.findall(page)

    assert len(loaded) == 8
    assert "<script>" not in page and "unpkg" not in page
    for path in loaded:
        assert path.startswith("/graphiql/"), path
        answer = await http.get(path)
        assert answer.status_code == 200, path
        assert answer.headers["x-content-type-options"] == "nosniff"
        kind = "text/css" if path.endswith(".css") else "text/javascript"
        assert answer.headers["content-type"].startswith(kind), path


async def test_only_graphiqls_own_files_are_served(http: httpx.AsyncClient) -> None:
    for path in ("/graphiql/index.html", "/graphiql/..%2Fwidget.js", "/graphiql/vendor"):
        assert (await http.get(path)).status_code == 404, path
