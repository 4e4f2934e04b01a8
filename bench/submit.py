"""Widget-flow throughput: the hub against its database's floor and a bare endpoint.

Drives the flow recordDisplay → submitScore → submitComment, with 1, 4 and 16
concurrent clients for a fixed time each, through four systems, each on an embedded
database of its own started as the hub runs it (flushed on every commit), so no system
inherits the server state another left. All four are up together and measured in
turn, in five slices each per client count (the order turned every round), so a
machine whose speed drifts during the run weighs on each alike; after each slice of
bare or hub, the time their background folder takes to fold what the slice wrote is
counted as theirs:

- floor: the same flows done directly with PyMongo (async) from this process, as
  the fewest writes the flow needs: one write per request (insert the display,
  insert the response, set its comment), no HTTP, no GraphQL, no transaction;
- floor-txn: the floor with each write in a transaction of its own, as the hub's
  request paths write: the best a hub could do writing that way;
- bare: bench/bare_app.py, Starlette endpoints that call the hub's own services (the
  same reads, writes, transactions and caches, the hub's background work running)
  without GraphQL, API keys or middleware;
- hub: `feedback-hub serve`, the widget's GraphQL mutations with a widget key.

Prints flows/s and p50/p99 latency per request of each, the ratios hub / floor (goal
≥ 0.5), hub / bare (goal ≥ 0.8) and the p50 at one client hub / floor (goal ≤ 2),
then what those goals leave room for (the floor in transactions against the floor,
and the p50 of a hub GraphQL call that touches no database against the floor's), then
the time to write 2,000 comments (full flows, 16 clients) through the hub and through
the floor, in eight chunks each, in turn. Every figure and ratio comes from this one
run.

    python bench/submit.py [--seconds 10] [--clients 1,4,16] [--comments 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from bson import ObjectId
from pymongo import AsyncMongoClient
from pymongo.asynchronous.client_session import AsyncClientSession

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hub.clock import SystemClock  # noqa: E402
from hub.db import Database, EmbeddedDatabase, free_port, init_models, make_client  # noqa: E402
from hub.models.common import Channel, Metric, Role  # noqa: E402
from hub.models.survey import SurveyStatus, SurveyText  # noqa: E402
from hub.services import Services  # noqa: E402
from hub.services.surveys.surveys import SurveyDraft  # noqa: E402
from hub.settings import Settings  # noqa: E402

DB_NAME = "bench_submit"
SYSTEMS = ("floor", "floor-txn", "bare", "hub")
Client = AsyncMongoClient[dict[str, Any]]
# A GraphQL call that reads and writes nothing (the widget key is cached): what HTTP and
# GraphQL alone cost a call, timed at one client after the flows.
EMPTY_CALL = "query { __typename }"
EMPTY_CALLS = 300
SHOW = """mutation($user: UserInput!, $context: DisplayContextInput) {
  recordDisplay(surveyKey: "bench", user: $user, channel: IN_APP_WEB, context: $context) {
    ... on DisplayRecorded { displayId } ... on UserError { code } } }"""
SCORE = """mutation($id: ID!, $score: Int!) { submitScore(displayId: $id, score: $score) {
    ... on ScoreSubmitted { responseId } ... on UserError { code } } }"""
COMMENT = """mutation($id: ID!, $text: String!) { submitComment(responseId: $id, comment: $text) {
    ... on CommentSubmitted { responseId } ... on UserError { code } } }"""
CONTEXT = {"company": "Acme AS", "country": "NO", "url": "https://app.example.org/x"}
TEXT = "Quick and clear."
WARM_UP_SECONDS = 2.0
# Each client count's seconds are taken in this many slices per system, in turn.
ROUNDS = 5
# The 2,000 comments are written in this many chunks per system, in turn.
COMMENT_CHUNKS = 8
SETTLE_POLL_SECONDS = 0.02
SLICES = itertools.count()
# Goals of the widget path, as ratios of figures from this run.
HUB_TO_FLOOR = 0.5
HUB_TO_BARE = 0.8
P50_TO_FLOOR = 2.0


@dataclass
class Run:
    flows: int = 0
    errors: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    # Processor time the system's database server spent on these flows (seconds).
    database_seconds: float = 0.0

    def record(self, started: float) -> None:
        self.latencies.append(time.perf_counter() - started)

    def percentile(self, share: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000

    @property
    def throughput(self) -> float:
        return self.flows / self.seconds if self.seconds else 0.0

    def add(self, other: Run) -> None:
        self.flows += other.flows
        self.errors += other.errors
        self.seconds += other.seconds
        self.latencies += other.latencies
        self.database_seconds += other.database_seconds

    @property
    def database_ms_per_flow(self) -> float:
        return 1000 * self.database_seconds / self.flows if self.flows else float("nan")

    @property
    def database_busy(self) -> float:
        """The share of one core the database server used while these flows ran."""
        return self.database_seconds / self.seconds if self.seconds else float("nan")


Flow = Callable[[Run, str], Awaitable[None]]


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


def floor_flow(database: Database, client: Client | None = None) -> Flow:
    """One write per request, as the hub's documents: the display inserted, the
    response inserted, its comment set. The collections are the hub's, with their
    indexes, which every write must maintain. Given `client`, each write is a
    transaction of its own: the least a request path that writes in a transaction
    (as the hub's do) can cost."""
    displays, responses = database["displays"], database["responses"]

    async def write(action: Callable[[AsyncClientSession | None], Awaitable[Any]]) -> None:
        if client is None:
            await action(None)
            return
        async with client.start_session() as session:
            await session.with_transaction(action)

    async def flow(run: Run, user: str) -> None:
        started = time.perf_counter()
        now = datetime.now(UTC)
        identity = {"id": user, "username": None, "email": f"{user}@example.org"}
        display = {
            "survey_key": "bench",
            "user": identity,
            "channel": "IN_APP_WEB",
            "locale": "en",
            "context": {**CONTEXT, "product": "Bench"},
            "shown_at": now,
            "response_id": None,
            "answered_at": None,
            "declined_at": None,
            "analytics_excluded": False,
        }
        await write(lambda session: displays.insert_one(display, session=session))
        run.record(started)
        started = time.perf_counter()
        response = {
            "_id": ObjectId(),
            "survey_key": "bench",
            "metric": "NPS",
            "display_id": display["_id"],
            "score": 8,
            "comment": None,
            "commented_at": None,
            "product": "Bench",
            "customer": {"company": CONTEXT["company"], "country": CONTEXT["country"]},
            "user": identity,
            "url": CONTEXT["url"],
            "channel": "IN_APP_WEB",
            "locale": "en",
            "answered_at": datetime.now(UTC),
            "analytics_excluded": False,
        }
        await write(lambda session: responses.insert_one(response, session=session))
        run.record(started)
        started = time.perf_counter()
        await write(
            lambda session: responses.update_one(
                {"_id": response["_id"], "comment": None},
                {"$set": {"comment": TEXT, "commented_at": datetime.now(UTC)}},
                session=session,
            )
        )
        run.record(started)

    return flow


def hub_flow(client: httpx.AsyncClient) -> Flow:
    async def flow(run: Run, user: str) -> None:
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
        await call(COMMENT, {"id": scored["submitScore"]["responseId"], "text": TEXT})

    return flow


def bare_flow(client: httpx.AsyncClient) -> Flow:
    async def flow(run: Run, user: str) -> None:
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
        await call("/bare/comment", {"responseId": scored["responseId"], "comment": TEXT})

    return flow


async def drive(
    flow: Flow, label: str, clients: int, seconds: float | None = None, flows: int | None = None
) -> Run:
    """`clients` workers running flows for `seconds`, or until `flows` have run."""
    run = Run()
    deadline = time.perf_counter() + seconds if seconds is not None else None
    claimed = 0

    def more() -> bool:
        nonlocal claimed
        if deadline is not None:
            return time.perf_counter() < deadline
        claimed += 1
        return flows is not None and claimed <= flows

    async def worker(number: int) -> None:
        count = 0
        while more():
            count += 1
            try:
                await flow(run, f"{label}-{clients}-{number}-{count}")
                run.flows += 1
            except (httpx.HTTPError, KeyError, TypeError, ValueError):
                run.errors += 1

    started = time.perf_counter()
    await asyncio.gather(*(worker(n) for n in range(clients)))
    run.seconds = time.perf_counter() - started
    return run


def serve(command: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(  # noqa: S603 - our own interpreter and modules
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT
    )


async def wait_up(url: str) -> None:
    async with httpx.AsyncClient() as client:
        for _ in range(600):
            try:
                if (await client.get(url)).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


def command_of(system: str, port: int) -> tuple[list[str], str]:
    """The server's command line and the path that answers once it is ready."""
    if system == "hub":
        return [sys.executable, "-m", "hub.server.cli", "serve", "--port", str(port)], "/readyz"
    uvicorn = [sys.executable, "-m", "uvicorn", "bench.bare_app:app", "--port", str(port)]
    return [*uvicorn, "--log-level", "warning"], "/bare/up"


@dataclass
class Measured:
    runs: dict[tuple[str, int], Run] = field(default_factory=dict)
    comments: dict[str, Run] = field(default_factory=dict)
    empty_call: Run | None = None


@dataclass
class System:
    """One system, up and ready: its flow, and how to wait until the work it left for
    its background workers (rollup changes not folded yet) is done."""

    name: str
    flow: Flow
    settle: Callable[[], Awaitable[None]]
    http: httpx.AsyncClient | None = None
    database_pid: int | None = None


def processor_seconds(pid: int | None) -> float:
    """User and system processor time of process `pid` so far (Linux's /proc); 0
    where it cannot be read."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def nothing_to_settle() -> None:
    return None


def settling(database: Database) -> Callable[[], Awaitable[None]]:
    """Wait until the hub's folder has folded every rollup change written so far."""

    async def settle() -> None:
        # Another process's work, seen only through its database.
        while await database["rollup_changes"].estimated_document_count():  # noqa: ASYNC110
            await asyncio.sleep(SETTLE_POLL_SECONDS)

    return settle


async def slice_of(
    system: System, clients: int, seconds: float | None = None, flows: int | None = None
) -> Run:
    """Flows for `seconds` (or `flows` of them), then the time its background work takes
    to catch up, counted as the system's: what it defers is part of what it costs; the
    database's processor time over both with it."""
    database_before = processor_seconds(system.database_pid)
    # Every slice its own users: a person shown the survey once is not eligible again.
    label = f"{system.name}-{next(SLICES)}"
    run = await drive(system.flow, label, clients, seconds, flows)
    started = time.perf_counter()
    await system.settle()
    run.seconds += time.perf_counter() - started
    run.database_seconds = processor_seconds(system.database_pid) - database_before
    return run


async def measure(systems: list[System], args: argparse.Namespace, measured: Measured) -> None:
    """Each client count in `ROUNDS` rounds; in each, every system for an equal slice,
    the order turned by one each round, so a machine that speeds up or slows down
    during the run weighs on every system alike."""
    for system in systems:
        await slice_of(system, max(args.clients), WARM_UP_SECONDS)
    for count in args.clients:
        for round_number in range(ROUNDS):
            turn = round_number % len(systems)
            for system in systems[turn:] + systems[:turn]:
                run = await slice_of(system, count, args.seconds / ROUNDS)
                measured.runs.setdefault((system.name, count), Run()).add(run)
        for system in systems:
            report(f"{system.name} {count:>2}c", measured.runs[system.name, count])
    hub = next(system for system in systems if system.name == "hub")
    assert hub.http is not None
    measured.empty_call = await empty_calls(hub.http)
    if args.comments:
        # In chunks, the two systems in turn, as the flows above.
        written = {name: Run() for name in ("floor", "hub")}
        chunk = max(1, args.comments // COMMENT_CHUNKS)
        for number in range(0, args.comments, chunk):
            for system in systems:
                if system.name in written:
                    flows = min(chunk, args.comments - number)
                    run = await slice_of(system, max(args.clients), flows=flows)
                    written[system.name].add(run)
        measured.comments = written


@contextlib.asynccontextmanager
async def started(
    system: str, token: str, uri: str, folder: Path, database_pid: int | None
) -> AsyncIterator[System]:
    """`system` up on the database at `uri`: the floors in this process, bare and hub as
    servers of their own."""
    client = make_client(uri, retryWrites=False)
    try:
        database = client[DB_NAME]
        if system.startswith("floor"):
            # Not retryable writes: SecantusDB's record of each would cost the floor
            # what the hub's writes, all in transactions, never pay.
            flow = floor_flow(database, client if system == "floor-txn" else None)
            yield System(system, flow, nothing_to_settle, database_pid=database_pid)
            return
        env = dict(
            os.environ,
            HUB_MONGODB_URI=uri,
            HUB_DB_NAME=DB_NAME,
            HUB_DATA_DIR=str(folder / "data"),
            HUB_RATE_LIMIT_PER_ADDRESS="",
            HUB_RATE_LIMIT_PER_TOKEN="",
            HUB_LOG_LEVEL="WARNING",
        )
        env.pop("SLACK_BOT_TOKEN", None)
        port = free_port()
        command, ready = command_of(system, port)
        server = serve(command, env)
        headers = {"Authorization": f"Bearer {token}"} if system == "hub" else {}
        limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
        try:
            base = f"http://127.0.0.1:{port}"
            await wait_up(base + ready)
            async with httpx.AsyncClient(
                base_url=base, headers=headers, limits=limits, timeout=60
            ) as http:
                flow = hub_flow(http) if system == "hub" else bare_flow(http)
                yield System(system, flow, settling(database), http, database_pid)
        finally:
            server.terminate()
            server.wait(timeout=30)
    finally:
        await client.close()


@contextlib.asynccontextmanager
async def database_of(folder: Path) -> AsyncIterator[tuple[str, str, int | None]]:
    """A new embedded database, flushed on every commit as the hub runs its own, and
    prepared (one survey, one widget key, the default Slack channel): its URI, the
    widget key and the server's process id."""
    database = EmbeddedDatabase(folder / "db")
    database.start()
    try:
        await database.wait_ready()
        yield database.uri, await prepare(database.uri), database.pid
    finally:
        database.stop()


async def empty_calls(client: httpx.AsyncClient) -> Run:
    """`EMPTY_CALLS` GraphQL calls that read and write nothing, one at a time."""
    run = Run()
    started = time.perf_counter()
    for _ in range(EMPTY_CALLS):
        call = time.perf_counter()
        response = await client.post("/graphql", json={"query": EMPTY_CALL})
        response.raise_for_status()
        run.record(call)
    run.seconds = time.perf_counter() - started
    return run


def report(label: str, run: Run) -> None:
    print(
        f"  {label:<13} {run.throughput:8.1f} flows/s  ({run.flows} flows, "
        f"{len(run.latencies)} requests, {run.errors} errors)  "
        f"p50 {run.percentile(0.5):7.1f} ms  p99 {run.percentile(0.99):7.1f} ms  "
        f"database {run.database_ms_per_flow:5.1f} ms/flow, busy {run.database_busy:.2f}",
        flush=True,
    )


def verdict(ratio: float, goal: float, at_least: bool) -> str:
    met = ratio >= goal if at_least else ratio <= goal
    return f"{'meets' if met else 'misses'} the goal of {'≥' if at_least else '≤'} {goal}"


def ratios(measured: Measured, clients: list[int]) -> None:
    print("ratios (this run)")
    for count in clients:
        hub, floor, bare = (measured.runs[system, count] for system in ("hub", "floor", "bare"))
        to_floor = hub.throughput / floor.throughput if floor.throughput else float("nan")
        to_bare = hub.throughput / bare.throughput if bare.throughput else float("nan")
        print(
            f"  {count:>2} clients: hub / floor flows/s = {to_floor:.2f} "
            f"({verdict(to_floor, HUB_TO_FLOOR, True)}); hub / bare flows/s = {to_bare:.2f} "
            f"({verdict(to_bare, HUB_TO_BARE, True)})"
        )
    one = min(clients)
    hub_p50 = measured.runs["hub", one].percentile(0.5)
    floor_p50 = measured.runs["floor", one].percentile(0.5)
    p50_ratio = hub_p50 / floor_p50
    print(
        f"  p50 at {one} client: hub {hub_p50:.1f} ms / floor {floor_p50:.1f} ms = "
        f"{p50_ratio:.2f} per request ({verdict(p50_ratio, P50_TO_FLOOR, False)})"
    )
    limits(measured, clients)
    if measured.comments:
        count = max(clients)
        hub, floor = measured.comments["hub"], measured.comments["floor"]
        print(
            f"writing {hub.flows + hub.errors:,} comments (full flows, {count} clients): "
            f"hub {hub.seconds:.1f} s ({hub.errors} errors), "
            f"floor {floor.seconds:.1f} s; hub / floor time = {hub.seconds / floor.seconds:.2f}"
        )


def limits(measured: Measured, clients: list[int]) -> None:
    """What the goals leave room for, on this database, from the same run: the floor
    with each write in a transaction of its own (a request path that writes in a
    transaction, reading nothing and writing nothing else, can do no better), and a
    GraphQL call that touches no database (what any call pays before its work)."""
    print("limits (this run)")
    for count in clients:
        bound, floor = measured.runs["floor-txn", count], measured.runs["floor", count]
        ratio = bound.throughput / floor.throughput if floor.throughput else float("nan")
        print(
            f"  {count:>2} clients: floor in transactions / floor flows/s = {ratio:.2f} "
            f"(the best hub / floor a transaction per request allows)"
        )
    one = min(clients)
    floor_p50 = measured.runs["floor", one].percentile(0.5)
    bound_p50 = measured.runs["floor-txn", one].percentile(0.5)
    print(
        f"  p50 at {one} client: floor in transactions {bound_p50:.1f} ms / floor "
        f"{floor_p50:.1f} ms = {bound_p50 / floor_p50:.2f}"
    )
    # The embedded database is one process that works mostly on one core: once it is
    # busy all the time, flows/s is its processor time per flow, inverted.
    for count in clients:
        hub, floor = measured.runs["hub", count], measured.runs["floor", count]
        needed = hub.database_ms_per_flow / floor.database_ms_per_flow
        print(
            f"  {count:>2} clients: database processor time per flow: hub "
            f"{hub.database_ms_per_flow:.1f} ms, floor {floor.database_ms_per_flow:.1f} ms "
            f"({needed:.2f} times; busy {hub.database_busy:.2f} and {floor.database_busy:.2f} "
            f"of a core)"
        )
    if measured.empty_call is not None:
        empty_p50 = measured.empty_call.percentile(0.5)
        print(
            f"  a hub GraphQL call that reads and writes nothing ({EMPTY_CALL!r}): p50 "
            f"{empty_p50:.1f} ms = {empty_p50 / floor_p50:.2f} times the floor's p50 per request"
        )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="per system and clients")
    parser.add_argument(
        "--clients",
        type=lambda text: sorted(int(part) for part in text.split(",")),
        default=[1, 4, 16],
        help="comma-separated client counts (default 1,4,16)",
    )
    parser.add_argument(
        "--comments", type=int, default=2000, help="comments written in full (0: skip)"
    )
    args = parser.parse_args()

    measured = Measured()
    print(
        f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}; "
        f"{args.seconds:.0f} s per system and client count, in {ROUNDS} slices taken in turn "
        f"with the other systems; each system on a new embedded database of its own, "
        f"flushed on every commit (--sync-on-commit) as the hub runs it",
        flush=True,
    )
    with tempfile.TemporaryDirectory() as root:
        async with contextlib.AsyncExitStack() as stack:
            systems = []
            for name in SYSTEMS:
                folder = Path(root) / name
                folder.mkdir()
                uri, token, pid = await stack.enter_async_context(database_of(folder))
                system = started(name, token, uri, folder, pid)
                systems.append(await stack.enter_async_context(system))
            await measure(systems, args, measured)
    ratios(measured, args.clients)


if __name__ == "__main__":
    asyncio.run(main())
