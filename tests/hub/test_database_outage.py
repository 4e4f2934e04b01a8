"""While the database is down, calls fail fast with UNAVAILABLE and /readyz says so;
when it is back, everything works again and nothing acknowledged is lost."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from hub.clock import FrozenClock
from hub.db import EmbeddedDatabase
from hub.models.common import Role
from hub.server.app import create_app
from hub.settings import Settings
from tests.support.clock import START
from tests.support.waiting import eventually

# Subprocesses, real servers, restarts or fuzzing: not in `make test-fast`.
pytestmark = pytest.mark.slow

SURVEYS = {"query": "{ surveys { key } }"}


async def test_calls_fail_clearly_while_the_database_is_down(tmp_path: Path) -> None:
    server = EmbeddedDatabase(tmp_path / "db")
    server.start()
    await server.wait_ready()
    settings = Settings(
        _env_file=None,
        mongodb_uri=SecretStr(server.uri),
        data_dir=tmp_path / "data",
        db_timeout_ms=300,
    )
    app = create_app(settings, FrozenClock(START))
    try:
        async with app.router.lifespan_context(app):
            _, token = await app.state.services.keys.create(Role.ADMIN, "ops")
            headers = {"Authorization": f"Bearer {token}"}
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as http:
                assert (await http.post("/graphql", json=SURVEYS, headers=headers)).json()[
                    "data"
                ] == {"surveys": []}

                server.stop()
                down = (await http.post("/graphql", json=SURVEYS, headers=headers)).json()
                ready = await http.get("/readyz")

                assert down["errors"][0]["extensions"]["code"] == "UNAVAILABLE"
                assert "Traceback" not in str(down)
                assert ready.status_code == 503

                server.start()
                await server.wait_ready()

                async def ready_again() -> bool:
                    # The driver finds the server again on its next heartbeat.
                    return (await http.get("/readyz")).status_code == 200

                await eventually(ready_again, within=30)
                back = (await http.post("/graphql", json=SURVEYS, headers=headers)).json()
                assert back == {"data": {"surveys": []}}
    finally:
        server.stop()
