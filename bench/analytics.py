"""Analytics benchmark: do dashboard queries stay as fast as responses grow?

Starts its own embedded SecantusDB, bulk-loads responses (raw documents with
insert_many while the collection's secondary indexes are set aside, then the
indexes, then rollups built by the rebuild), and prints the median time of
metricSummary and metricTrend over a year at each size, the ratio largest /
smallest, and the same summary computed by an aggregation over raw responses.

    python bench/analytics.py                       # 10,000 then 1,000,000
    python bench/analytics.py --sizes 10000,100000  # a quicker look

The benchmark's server does not flush every commit to disk (the hub's does): that
changes the loading time only. A million responses take it about ten minutes to load,
index and roll up on two cores; the queries themselves take well under a second.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bson import ObjectId

from hub.clock import SystemClock
from hub.db import Database, EmbeddedDatabase, init_models, make_client
from hub.models.common import Metric
from hub.models.response import Response
from hub.models.rollup import DailyRollup, HourlyRollup, SlotRollup
from hub.models.survey import Survey, SurveyStatus, SurveyText
from hub.services.analytics.analytics import AnalyticsService
from hub.services.analytics.criteria import AnalyticsFilter, Interval
from hub.services.platform.leases import JobLeases
from hub.services.surveys.surveys import SurveyService
from hub.services.widget.events import EventBus

YEAR_START = datetime(2025, 1, 1, tzinfo=UTC)
YEAR_END = datetime(2026, 1, 1, tzinfo=UTC)
SURVEYS = (("nps-main", Metric.NPS), ("csat-help", Metric.CSAT))
COUNTRIES = ("NO", "SE", "DK")
CHANNELS = ("IN_APP_WEB", "MOBILE")
COMPANIES = ("Acme AS", "Volvo", "Nokia", "Lego")
BATCH = 5000
PROGRESS_EVERY = 100_000


def _documents(first: int, count: int, rng: random.Random) -> list[dict[str, Any]]:
    """Raw responses over 2025: 70% to the NPS survey, 30% to a CSAT survey."""
    seconds = int((YEAR_END - YEAR_START).total_seconds())
    documents = []
    for number in range(first, first + count):
        key, metric = SURVEYS[0] if rng.random() < 0.7 else SURVEYS[1]
        low, high = metric.scale
        documents.append(
            {
                "_id": ObjectId(),
                "survey_key": key,
                "metric": metric.value,
                "display_id": ObjectId(),
                "score": rng.randint(low, high),
                "comment": "Because." if rng.random() < 0.3 else None,
                "commented_at": None,
                "product": "Accounting",
                "customer": {"company": rng.choice(COMPANIES), "country": rng.choice(COUNTRIES)},
                "user": {"id": f"user-{number}", "username": None, "email": None},
                "url": None,
                "channel": rng.choice(CHANNELS),
                "locale": "en",
                "answered_at": YEAR_START + timedelta(seconds=rng.randrange(seconds)),
                "analytics_excluded": False,
            }
        )
    return documents


async def _load(database: Database, target: int, loaded: int, rng: random.Random) -> None:
    """Insert raw responses with the secondary indexes dropped, then build them again:
    one index build is several times faster than keeping eight indexes per insert."""
    collection = Response.get_pymongo_collection()
    await collection.drop_indexes()
    while loaded < target:
        size = min(BATCH, target - loaded)
        await collection.insert_many(_documents(loaded, size, rng), ordered=False)
        loaded += size
        if loaded % PROGRESS_EVERY == 0 and loaded < target:
            _progress(f"loaded {loaded:,} of {target:,} responses")
    _progress("indexing")
    await init_models(database)


def _progress(text: str) -> None:
    print(f"  … {text}", file=sys.stderr, flush=True)


async def _median(work: Callable[[], Awaitable[Any]], runs: int) -> float:
    await work()  # warm up
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        await work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


async def _raw_summary() -> dict[str, Any]:
    """The summary's NPS counts by aggregating raw responses, for comparison."""
    pipeline: list[dict[str, Any]] = [
        {
            "$match": {
                "survey_key": "nps-main",
                "answered_at": {"$gte": YEAR_START, "$lt": YEAR_END},
            }
        },
        {
            "$group": {
                "_id": None,
                "n": {"$sum": 1},
                "promoters": {"$sum": {"$cond": [{"$gte": ["$score", 9]}, 1, 0]}},
                "detractors": {"$sum": {"$cond": [{"$lte": ["$score", 6]}, 1, 0]}},
                "comments": {"$sum": {"$cond": [{"$ne": ["$comment", None]}, 1, 0]}},
            }
        },
    ]
    rows = await (await Response.get_pymongo_collection().aggregate(pipeline)).to_list()
    return rows[0] if rows else {}


async def _surveys() -> None:
    now = datetime.now(UTC)
    for key, metric in SURVEYS:
        await Survey(
            key=key,
            metric=metric,
            product="Accounting",
            texts=[SurveyText(locale="en", question="?", follow_up="?", thank_you="!")],
            default_locale="en",
            channels=[],
            status=SurveyStatus.ACTIVE,
            created_at=now,
            updated_at=now,
        ).insert()


QUERIES = (
    ("summary", "metricSummary, NPS survey, one year"),
    ("trend_month", "metricTrend MONTH, Europe/Oslo, one year"),
    ("trend_day", "metricTrend DAY, America/New_York, one year"),
    ("raw", "the summary by aggregating raw responses"),
)


async def run(sizes: list[int], runs: int, raw_runs: int) -> None:
    with tempfile.TemporaryDirectory(prefix="hub-bench-") as folder:
        # Not flushed on every commit, unlike the hub's: that only slows the loading.
        server = EmbeddedDatabase(Path(folder) / "db", durable=False)
        server.start()
        client = None
        try:
            await server.wait_ready()
            client = make_client(server.uri)
            database = client["bench"]
            await init_models(database)
            await _surveys()
            clock = SystemClock()
            analytics = AnalyticsService(clock, EventBus(), SurveyService(clock), JobLeases(clock))
            year = AnalyticsFilter(survey_keys=["nps-main"], date_from=YEAR_START, date_to=YEAR_END)
            rng = random.Random(2025)
            results: list[dict[str, float]] = []
            loaded = 0
            for size in sizes:
                started = time.perf_counter()
                await _load(database, size, loaded, rng)
                loaded = size
                load_seconds = time.perf_counter() - started
                _progress("rebuilding rollups")
                started = time.perf_counter()
                report = await analytics.rebuild()
                rebuild_seconds = time.perf_counter() - started
                summary = await analytics.summary(year)
                raw = await _raw_summary()
                assert summary.nps is not None, "no NPS figures"
                assert (summary.nps.n, summary.nps.promoters) == (raw["n"], raw["promoters"])
                figures = {
                    "summary": await _median(lambda: analytics.summary(year), runs),
                    "trend_month": await _median(
                        lambda: analytics.trend(year, Interval.MONTH, "Europe/Oslo"), runs
                    ),
                    "trend_day": await _median(
                        lambda: analytics.trend(year, Interval.DAY, "America/New_York"), runs
                    ),
                    "raw": await _median(_raw_summary, raw_runs),
                }
                results.append(figures)
                print(
                    f"{size:,} responses: loaded and indexed in {load_seconds:.1f} s; "
                    f"rollups rebuilt in {rebuild_seconds:.1f} s ({report.daily_rollups:,} daily, "
                    f"{report.hourly_rollups:,} hourly, {report.slot_rollups:,} quarter-hour)"
                )
                for name, label in QUERIES:
                    print(f"    {label:<46} {figures[name] * 1000:9.1f} ms (median)")
            if len(results) > 1:
                small, large = results[0], results[-1]
                print(f"ratio {sizes[-1]:,} / {sizes[0]:,} responses (goal: under 2)")
                for name, label in QUERIES:
                    print(f"    {label:<46} {large[name] / small[name]:9.2f}")
            print(
                f"stored: {await DailyRollup.count():,} daily, {await HourlyRollup.count():,} "
                f"hourly and {await SlotRollup.count():,} quarter-hour rollups"
            )
        finally:
            if client is not None:
                await client.close()
            server.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        default=os.environ.get("BENCH_ANALYTICS_SIZES", "10000,1000000"),
        help="comma-separated response counts, loaded one after the other "
        "(default: BENCH_ANALYTICS_SIZES or 10000,1000000)",
    )
    parser.add_argument("--runs", type=int, default=15, help="timed runs per rollup query")
    parser.add_argument("--raw-runs", type=int, default=3, help="timed runs of the raw aggregation")
    args = parser.parse_args()
    sizes = sorted(int(size) for size in args.sizes.split(","))
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cpus")
    asyncio.run(run(sizes, args.runs, args.raw_runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
