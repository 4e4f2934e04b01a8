"""`/widget.js`, the pages (survey links, the privacy form) and GraphiQL's files come
gzipped to a client that accepts gzip and plain to one that does not; `/graphql`
never does, so its subscriptions stream as they come."""

from __future__ import annotations

import httpx
import pytest

from hub.models.common import Channel, Role
from hub.services import Services
from tests.factories import make_survey, person

GZIP = {"Accept-Encoding": "gzip"}
IDENTITY = {"Accept-Encoding": "identity"}
# Large enough an answer (every type's name) that size alone would not keep it plain.
TYPES = {"query": "{ __schema { types { name description } } }"}


async def link_path(services: Services) -> str:
    await make_survey(services, channels=[Channel.LINK])
    _, url = await services.links.create("nps-main", person(1))
    return "/" + url.split("/", 3)[3]


@pytest.mark.parametrize(
    "path", ["/widget.js", "/privacy/request", "/graphiql/graphiql.min.js", "/graphiql/start.js"]
)
async def test_pages_and_scripts_are_gzipped_when_accepted(
    http: httpx.AsyncClient, path: str
) -> None:
    gzipped = await http.get(path, headers=GZIP)
    plain = await http.get(path, headers=IDENTITY)

    assert gzipped.status_code == plain.status_code == 200
    assert gzipped.headers["content-encoding"] == "gzip"
    assert "content-encoding" not in plain.headers
    assert gzipped.content == plain.content  # httpx decodes the gzipped body
    assert int(gzipped.headers["content-length"]) < len(plain.content)
    for response in (gzipped, plain):
        assert "accept-encoding" in response.headers["vary"].lower()


async def test_a_survey_link_page_is_gzipped_when_accepted(
    http: httpx.AsyncClient, services: Services
) -> None:
    path = await link_path(services)

    gzipped = await http.get(path, headers=GZIP)
    plain = await http.get(path, headers=IDENTITY)

    assert gzipped.status_code == plain.status_code == 200
    assert gzipped.headers["content-encoding"] == "gzip"
    assert "content-encoding" not in plain.headers
    assert gzipped.headers["cache-control"] == "no-store"


async def test_the_script_keeps_one_etag_for_both_encodings(http: httpx.AsyncClient) -> None:
    gzipped = await http.get("/widget.js", headers=GZIP)
    plain = await http.get("/widget.js", headers=IDENTITY)
    etag = gzipped.headers["etag"]

    # Weak: the gzipped and the plain bytes are the same script, not the same bytes.
    assert etag == plain.headers["etag"] and etag.startswith('W/"')
    for headers in (GZIP, IDENTITY):
        again = await http.get("/widget.js", headers={**headers, "If-None-Match": etag})
        assert again.status_code == 304 and again.content == b""
        assert again.headers["etag"] == etag
        assert again.headers["cache-control"] == "public, max-age=300"
        assert "accept-encoding" in again.headers["vary"].lower()
    # A browser that cached the script under its former, strong ETag revalidates too.
    strong = etag.removeprefix("W/")
    assert (await http.get("/widget.js", headers={"If-None-Match": strong})).status_code == 304
    several = f'"other", {etag}'
    assert (await http.get("/widget.js", headers={"If-None-Match": several})).status_code == 304
    stale = await http.get("/widget.js", headers={"If-None-Match": '"stale"'})
    assert stale.status_code == 200 and stale.content == plain.content


async def test_graphql_is_never_gzipped(http: httpx.AsyncClient, tokens: dict[Role, str]) -> None:
    bearer = {"Authorization": f"Bearer {tokens[Role.VIEWER]}"}

    answer = await http.post("/graphql", json=TYPES, headers={**GZIP, **bearer})

    assert answer.status_code == 200 and len(answer.content) > 2_000
    assert "content-encoding" not in answer.headers


async def test_a_small_answer_stays_plain(http: httpx.AsyncClient) -> None:
    missing = await http.get("/graphiql/nothing.js", headers=GZIP)

    assert missing.status_code == 404
    assert "content-encoding" not in missing.headers
