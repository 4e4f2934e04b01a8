"""Widget-flow throughput: the hub against a bare endpoint doing the same database work.

Starts the embedded database, then, one after the other, the hub (`feedback-hub
serve`, GraphQL, validation, auth, transactions) and the bare Starlette app of
bench/bare_app.py, each on uvicorn on 127.0.0.1, and drives the flow recordDisplay →
submitScore → submitComment from N concurrent clients for a fixed time. Prints
throughput and p50/p99 latency of both, and the ratio hub / bare (goal: at least 0.70).

    python bench/submit.py [--clients 16] [--seconds 15]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hub.clock import SystemClock  # noqa: E402
from hub.db import EmbeddedDatabase, free_port, init_models, make_client  # noqa: E402
from hub.models.common import Channel, Metric, Role  # noqa: E402
from hub.models.survey import SurveyStatus, SurveyText  # noqa: E402
from hub.services import Services  # noqa: E402
from hub.services.surveys.surveys import SurveyDraft  # noqa: E402
from hub.settings import Settings  # noqa: E402

DB_NAME = "bench_submit"
SHOW = """mutation($user: UserInput!, $context: DisplayContextInput) {
  recordDisplay(surveyKey: "bench", user: $user, channel: IN_APP_WEB, context: $context) {
    ... on DisplayRecorded { displayId } ... on UserError { code } } }"""
SCORE = """mutation($id: ID!, $score: Int!) { submitScore(displayId: $id, score: $score) {
    ... on ScoreSubmitted { responseId } ... on UserError { code } } }"""
COMMENT = """mutation($id: ID!, $text: String!) { submitComment(responseId: $id, comment: $text) {
    ... on CommentSubmitted { responseId } ... on UserError { code } } }"""
CONTEXT = {"company": "Acme AS", "country": "NO", "url": "https://app.example.org/x"}


@dataclass
class Run:
    flows: int = 0
    errors: int = 0
    latencies: list[float] = field(default_factory=list)

    def record(self, started: float) -> None:
        self.latencies.append(time.perf_counter() - started)

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000


async def prepare(uri: str) -> str:
    client = make_client(uri)
    await client.drop_database(DB_NAME)
    await init_models(client[DB_NAME])
    settings = Settings(_env_file=None, mongodb_uri=uri, db_name=DB_NAME)
    services = Services.build(settings, SystemClock())
    await services.surveys.create(
        SurveyDraft(
            key="bench",
            metric=Metric.NPS,
            product="Bench",
            texts=[SurveyText(locale="en", question="Q?", follow_up="Why?", thank_you="Thanks")],
            default_locale="en",
            channels=[Channel.IN_APP_WEB],
            status=SurveyStatus.ACTIVE,
        )
    )
    await services.routing.set_defaults("C0BENCH01", None)
    _, token = await services.keys.create(Role.WIDGET, "bench")
    await client.close()
    return token


def serve(command: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(  # noqa: S603 - our own interpreter and modules
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT
    )


async def wait_up(url: str) -> None:
    async with httpx.AsyncClient() as client:
        for _ in range(300):
            try:
                await client.get(url)
                return
            except httpx.TransportError:
                await asyncio.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


async def hub_flow(client: httpx.AsyncClient, run: Run, user: str) -> None:
    async def call(query: str, variables: dict[str, Any]) -> dict[str, Any]:
        started = time.perf_counter()
        response = await client.post("/graphql", json={"query": query, "variables": variables})
        run.record(started)
        data: dict[str, Any] = response.json()["data"]
        return data

    shown = await call(
        SHOW, {"user": {"id": user, "email": f"{user}@example.org"}, "context": CONTEXT}
    )
    display_id = shown["recordDisplay"]["displayId"]
    scored = await call(SCORE, {"id": display_id, "score": 8})
    await call(COMMENT, {"id": scored["submitScore"]["responseId"], "text": "Quick and clear."})


async def bare_flow(client: httpx.AsyncClient, run: Run, user: str) -> None:
    async def call(path: str, body: dict[str, Any]) -> dict[str, Any]:
        started = time.perf_counter()
        response = await client.post(path, json=body)
        run.record(started)
        data: dict[str, Any] = response.json()
        return data

    shown = await call(
        "/bare/display",
        {
            "surveyKey": "bench",
            "user": {"id": user, "email": f"{user}@example.org"},
            "context": CONTEXT,
        },
    )
    scored = await call("/bare/score", {"displayId": shown["displayId"], "score": 8})
    await call("/bare/comment", {"responseId": scored["responseId"], "comment": "Quick and clear."})


async def drive(
    base_url: str, token: str | None, flow: Any, label: str, clients: int, seconds: float
) -> Run:
    run = Run()
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(
        base_url=base_url, headers=headers, limits=limits, timeout=30
    ) as client:

        async def worker(number: int) -> None:
            count = 0
            while time.perf_counter() < deadline:
                count += 1
                try:
                    await flow(client, run, f"{label}-{number}-{count}")
                    run.flows += 1
                except (httpx.HTTPError, KeyError, TypeError):
                    run.errors += 1

        await asyncio.gather(*(worker(n) for n in range(clients)))
    return run


def report(label: str, run: Run, seconds: float) -> float:
    throughput = run.flows / seconds
    requests = len(run.latencies)
    print(
        f"{label:<6} {throughput:8.1f} flows/s  ({run.flows} flows, {requests} requests, "
        f"{run.errors} errors)  p50 {run.percentile(0.5):6.1f} ms  "
        f"p99 {run.percentile(0.99):6.1f} ms"
    )
    return throughput


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=15.0)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        database = EmbeddedDatabase(Path(folder) / "db")
        database.start()
        try:
            await database.wait_ready()
            token = await prepare(database.uri)
            env = dict(
                os.environ,
                HUB_MONGODB_URI=database.uri,
                HUB_DB_NAME=DB_NAME,
                HUB_DATA_DIR=str(Path(folder) / "data"),
                HUB_RATE_LIMIT_PER_ADDRESS="",
                HUB_RATE_LIMIT_PER_TOKEN="",
                HUB_LOG_LEVEL="WARNING",
                BENCH_MONGODB_URI=database.uri,
                BENCH_DB_NAME=DB_NAME,
            )
            env.pop("SLACK_BOT_TOKEN", None)
            results: dict[str, float] = {}
            for label in ("hub", "bare"):
                port = free_port()
                if label == "hub":
                    command = [sys.executable, "-m", "hub.server.cli", "serve", "--port", str(port)]
                    flow, path = hub_flow, "/healthz"
                else:
                    command = [
                        sys.executable,
                        "-m",
                        "uvicorn",
                        "bench.bare_app:app",
                        "--port",
                        str(port),
                        "--log-level",
                        "warning",
                    ]
                    flow, path = bare_flow, "/bare/none"
                server = serve(command, env)
                try:
                    base = f"http://127.0.0.1:{port}"
                    await wait_up(base + path)
                    await drive(base, token, flow, f"warm-{label}", args.clients, 2.0)
                    run = await drive(base, token, flow, label, args.clients, args.seconds)
                    results[label] = report(label, run, args.seconds)
                finally:
                    server.terminate()
                    server.wait(timeout=30)
            ratio = results["hub"] / results["bare"] if results["bare"] else float("nan")
            verdict = "meets" if ratio >= 0.70 else "misses"
            print(f"ratio  hub / bare throughput = {ratio:.2f} ({verdict} the goal of 0.70)")
            print(
                f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, "
                f"{args.clients} clients, {args.seconds:.0f} s per run"
            )
        finally:
            database.stop()


if __name__ == "__main__":
    asyncio.run(main())
