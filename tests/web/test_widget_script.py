"""`/widget.js` is small, self-contained and cacheable; `/graphql` answers the
browser's CORS checks for the configured origins only."""

from __future__ import annotations

import gzip
import re

import httpx

from hub import i18n
from hub.web.persisted import WIDGET_DOCUMENTS, WIDGET_IDS

GZIP_BUDGET = 15 * 1024


async def test_the_banner_script_is_under_15_kb_gzipped(http: httpx.AsyncClient) -> None:
    response = await http.get("/widget.js")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    size = len(gzip.compress(response.content, compresslevel=9))
    assert size < GZIP_BUDGET, f"widget.js is {size} bytes gzipped"


async def test_the_script_carries_every_interface_language_and_no_outside_address(
    http: httpx.AsyncClient,
) -> None:
    script = (await http.get("/widget.js")).text

    assert "__FEEDBACK_HUB_STRINGS__" not in script
    for language in ("en", "es", "nb", "sv", "da", "fi", "nl"):
        assert f'"{language}":{{' in script
    assert "Svært sannsynlig" in script and "Erittäin todennäköistä" in script
    # The only address it calls is its own hub's /graphql (or data-endpoint).
    assert re.findall(r"https?://[\w.-]+", script) == ["https://hub.example"]


async def test_the_script_sends_its_documents_by_id_and_keeps_no_text(
    http: httpx.AsyncClient,
) -> None:
    script = (await http.get("/widget.js")).text

    assert "__FEEDBACK_HUB_OPERATIONS__" not in script
    for name, document_id in WIDGET_IDS.items():
        assert f'"{name}":"{document_id}"' in script
    for text in WIDGET_DOCUMENTS.values():
        assert text not in script
    assert "query" not in script.lower().replace("persistedquery", "")


async def test_the_script_is_revalidated_by_etag(http: httpx.AsyncClient) -> None:
    first = await http.get("/widget.js")
    again = await http.get("/widget.js", headers={"If-None-Match": first.headers["etag"]})

    assert again.status_code == 304 and again.content == b""


async def test_graphql_allows_the_configured_origin_only(http: httpx.AsyncClient) -> None:
    preflight = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type",
    }
    allowed = await http.options(
        "/graphql", headers={**preflight, "Origin": "https://app.example.org"}
    )
    refused = await http.options("/graphql", headers={**preflight, "Origin": "https://evil.test"})
    simple = await http.post(
        "/graphql",
        json={"query": "{ __typename }"},
        headers={"Origin": "https://app.example.org"},
    )

    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "https://app.example.org"
    assert "authorization" in allowed.headers["access-control-allow-headers"].lower()
    assert refused.status_code == 400
    assert "access-control-allow-origin" not in refused.headers
    assert simple.headers["access-control-allow-origin"] == "https://app.example.org"
    assert "access-control-allow-credentials" not in simple.headers


def test_every_language_has_every_interface_string() -> None:
    keys = set(i18n.STRINGS["en"])
    for language in ("es", "nb", "sv", "da", "fi", "nl"):
        assert set(i18n.STRINGS[language]) == keys, language
        assert "{product}" in i18n.STRINGS[language]["email_subject"]


def test_locales_map_to_the_supported_languages() -> None:
    assert i18n.language_of("nb-NO") == "nb"
    assert i18n.language_of("no") == "nb"
    assert i18n.language_of("sv_SE") == "sv"
    assert i18n.language_of("de-DE") == "en"
    assert i18n.language_of(None) == "en"
    assert i18n.accepted_languages("da;q=0.5, nl-BE, fi;q=0.7, *;q=0.1") == ["nl-BE", "fi", "da"]
    assert i18n.best_locale(["en", "es-MX"], ["fr", "es-ES", "en"]) == "es-MX"
    assert i18n.best_locale(["en", "nb"], ["no"]) == "nb"
    assert i18n.best_locale(["en"], ["fi;q=0"]) is None
