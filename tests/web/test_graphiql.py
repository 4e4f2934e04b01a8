"""GraphiQL (GET /graphql in a browser) has the headers of every other page: it
cannot be framed, and its CSP allows the hub's own files only, which serve every
script and style the page loads (no CDN)."""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import re
from pathlib import Path

import httpx

HTML = {"accept": "text/html"}
LOADED = re.compile(r'<(?:script|link)\b[^>]*\b(?:src|href)="([^"]+)"')
INTEGRITY = re.compile(r'\b(?:src|href)="([^"]+)"\s+integrity="([^"]+)"')


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


def pinned_hashes() -> dict[str, str]:
    """The hash of each vendored file as scripts/vendor_graphiql.py pins it."""
    path = Path(__file__).resolve().parents[2] / "scripts" / "vendor_graphiql.py"
    spec = importlib.util.spec_from_file_location("vendor_graphiql", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return {served: f"sha384-{digest}" for _, _, _, served, digest in module.FILES}


async def test_every_vendored_file_is_loaded_with_its_pinned_integrity(
    http: httpx.AsyncClient,
) -> None:
    # The browser refuses a file whose content is not the one pinned: a changed copy on
    # disk or on the way cannot run in the page.
    page = (await http.get("/graphql", headers=HTML)).text
    integrity = dict(INTEGRITY.findall(page))
    pins = pinned_hashes()

    assert {path.removeprefix("/graphiql/") for path in integrity} == set(pins)
    for path, expected in integrity.items():
        served = await http.get(path)
        digest = base64.b64encode(hashlib.sha384(served.content).digest()).decode()
        assert expected == pins[path.removeprefix("/graphiql/")] == f"sha384-{digest}", path
