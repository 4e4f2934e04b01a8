"""Analytics benchmark: do dashboard queries stay as fast as responses grow?

Starts its own embedded SecantusDB, bulk-loads 10,000 responses, builds the rollups
and times the dashboard queries; then loads up to `--responses` (1,000,000 by
default), builds the rollups again and times the queries again. Prints the median
time of metricSummary, metricTrend (monthly and daily over a year), metricBreakdown,
themeSummary (five themes, tagged on the comments) and the same summary computed by an
aggregation over raw responses at each size, the ratio largest / smallest (goal: under
2 for the rollup queries), each phase's time, and the database round trips of a daily
trend over 7 and over 365 days and of the theme summary.

    python bench/analytics.py                      # 10,000 then 1,000,000
    python bench/analytics.py --responses 100000   # a quicker look

Loading inserts raw documents in large batches, generated in a thread while the
previous batch is written, with the collection's secondary indexes set aside and
built once at the end. The rollups are counted from the generated records as they are
written, with the rebuild's own counting and writing (`count_response`,
`replace_rollups`), and put in place once per size; at 10,000 the rebuild itself runs
too and must count the same. The rebuild is not run at a million on the embedded
database: it reads the records a chunk per snapshot, and SecantusDB evaluates a range
of ids by reading the whole collection, so each chunk costs time in proportion to the
collection and, at a million, runs past the 60-second transaction lifetime (on
MongoDB a chunk reads an index range of its own size). The
benchmark's server does not flush every commit to disk (the hub's does): that changes
the loading time only. The loading and the rebuild dominate the run time; the
queries themselves take well under a second.
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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hub.clock import SystemClock  # noqa: E402
from hub.db import Database, EmbeddedDatabase, init_models, make_client  # noqa: E402
from hub.models.common import Metric  # noqa: E402
from hub.models.response import Response  # noqa: E402
from hub.models.rollup import DailyRollup, HourlyRollup, SlotRollup  # noqa: E402
from hub.models.survey import Survey, SurveyStatus, SurveyText  # noqa: E402
from hub.models.theme import Theme, ThemeRule  # noqa: E402
from hub.models.theme_rollup import ThemeDailyRollup  # noqa: E402
from hub.services.analytics.analytics import AnalyticsService  # noqa: E402
from hub.services.analytics.criteria import AnalyticsFilter, Dimension, Interval  # noqa: E402
from hub.services.analytics.grains import DAYS, HOURS, SLOTS  # noqa: E402
from hub.services.analytics.rebuild import count_response, replace_rollups  # noqa: E402
from hub.services.analytics.theme_rollups import ChangeTables  # noqa: E402
from hub.services.platform.leases import JobLeases  # noqa: E402
from hub.services.surveys.surveys import SurveyService  # noqa: E402
from hub.services.widget.events import EventBus  # noqa: E402
from tests.support.commands import CommandCounter  # noqa: E402

YEAR_START = datetime(2025, 1, 1, tzinfo=UTC)
YEAR_END = datetime(2026, 1, 1, tzinfo=UTC)
SURVEYS = (("nps-main", Metric.NPS), ("csat-help", Metric.CSAT))
COUNTRIES = ("NO", "SE", "DK")
CHANNELS = ("IN_APP_WEB", "MOBILE")
COMPANIES = ("Acme AS", "Volvo", "Nokia", "Lego")
THEMES = ("billing", "performance", "support", "usability", "pricing")
BATCH = 20_000
SMALL = 10_000
PROGRESS_EVERY = 100_000
STARTED = time.perf_counter()


def _tags(rng: random.Random) -> list[dict[str, Any]]:
    """A comment's tags: each theme with a chance of one in four."""
    return [
        {"theme": theme, "language": "en", "rule": theme, "words": [theme]}
        for theme in THEMES
        if rng.random() < 0.25
    ]


def _documents(first: int, count: int, rng: random.Random) -> list[dict[str, Any]]:
    """Raw responses over 2025: 70% to the NPS survey, 30% to a CSAT survey; 30%
    with a comment, tagged with themes."""
    seconds = int((YEAR_END - YEAR_START).total_seconds())
    documents = []
    for number in range(first, first + count):
        key, metric = SURVEYS[0] if rng.random() < 0.7 else SURVEYS[1]
        low, high = metric.scale
        commented = rng.random() < 0.3
        documents.append(
            {
                "_id": ObjectId(),
                "survey_key": key,
                "metric": metric.value,
                "display_id": ObjectId(),
                "score": rng.randint(low, high),
                "comment": "Because." if commented else None,
                "themes": _tags(rng) if commented else [],
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


def _counted(first: int, count: int, rng: random.Random, tables: ChangeTables) -> list[Any]:
    """A batch of raw responses, each counted into `tables` as the rebuild counts it."""
    documents = _documents(first, count, rng)
    for document in documents:
        count_response(tables, document)
    return documents


async def _load(
    database: Database, target: int, loaded: int, rng: random.Random, tables: ChangeTables
) -> None:
    """Insert raw responses with the secondary indexes dropped, then build them again:
    one index build is several times faster than keeping eight indexes per insert.
    The next batch is generated (and counted into `tables`) in a thread while the
    database writes the previous."""
    collection = Response.get_pymongo_collection()
    await collection.drop_indexes()
    writing: asyncio.Task[Any] | None = None
    while loaded < target:
        size = min(BATCH, target - loaded)
        batch = await asyncio.to_thread(_counted, loaded, size, rng, tables)
        if writing is not None:
            await writing
        writing = asyncio.create_task(collection.insert_many(batch, ordered=False))
        loaded += size
        if loaded // PROGRESS_EVERY > (loaded - size) // PROGRESS_EVERY and loaded < target:
            _progress(f"loaded {loaded:,} of {target:,} responses")
    if writing is not None:
        await writing
    _progress("indexing")
    await init_models(database)


def _progress(text: str) -> None:
    """A line on stderr, with the seconds since the start, to follow a long load."""
    print(f"  … {time.perf_counter() - STARTED:6.0f} s: {text}", file=sys.stderr, flush=True)


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


async def _raw_mentions(theme: str) -> int:
    """The NPS survey's responses of the year tagged with `theme`, counted raw."""
    return await Response.get_pymongo_collection().count_documents(
        {
            "survey_key": "nps-main",
            "answered_at": {"$gte": YEAR_START, "$lt": YEAR_END},
            "themes.theme": theme,
        }
    )


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
    for theme in THEMES:
        await Theme(
            key=theme,
            name=theme.title(),
            name_folded=theme,
            rules=[ThemeRule(language="en", terms=[theme])],
            created_at=now,
            updated_at=now,
        ).insert()


QUERIES = (
    ("summary", "metricSummary, NPS survey, one year"),
    ("trend_month", "metricTrend MONTH, Europe/Oslo, one year"),
    ("trend_day", "metricTrend DAY, America/New_York, one year"),
    ("breakdown", "metricBreakdown by country, one year"),
    ("themes", "themeSummary, NPS survey, one year"),
    ("raw", "the summary by aggregating raw responses"),
)
ROLLUP_QUERIES = ("summary", "trend_month", "trend_day", "breakdown", "themes")


async def _timed(work: Callable[[], Awaitable[Any]]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = await work()
    return time.perf_counter() - started, result


async def _round_trips(counter: CommandCounter, work: Callable[[], Awaitable[Any]]) -> int:
    """The database commands one call sends."""
    counter.clear()
    await work()
    return len(counter.commands)


async def run(sizes: list[int], runs: int) -> None:
    with tempfile.TemporaryDirectory(prefix="hub-bench-") as folder:
        # Not flushed on every commit, unlike the hub's: that only slows the loading.
        server = EmbeddedDatabase(Path(folder) / "db", durable=False)
        server.start()
        client = None
        counter = CommandCounter()
        try:
            await server.wait_ready()
            client = make_client(server.uri, event_listeners=[counter])
            database = client["bench"]
            await init_models(database)
            await _surveys()
            clock = SystemClock()
            analytics = AnalyticsService(clock, EventBus(), SurveyService(clock), JobLeases(clock))
            year = AnalyticsFilter(survey_keys=["nps-main"], date_from=YEAR_START, date_to=YEAR_END)
            week = AnalyticsFilter(
                survey_keys=["nps-main"], date_from=YEAR_END - timedelta(days=7), date_to=YEAR_END
            )
            queries: dict[str, Callable[[], Awaitable[Any]]] = {
                "summary": lambda: analytics.summary(year),
                "trend_month": lambda: analytics.trend(year, Interval.MONTH, "Europe/Oslo"),
                "trend_day": lambda: analytics.trend(year, Interval.DAY, "America/New_York"),
                "breakdown": lambda: analytics.breakdown(year, Dimension.COUNTRY, 10),
                "themes": lambda: analytics.themes.summary(year),
            }
            rng = random.Random(2025)
            results: list[dict[str, float]] = []
            loaded = 0
            whole = time.perf_counter()
            tables = ChangeTables()
            for size in sizes:
                started = time.perf_counter()
                await _load(database, size, loaded, rng, tables)
                loaded = size
                load_seconds = time.perf_counter() - started
                _progress("writing the rollups")
                write_seconds, _ = await _timed(lambda: replace_rollups(tables))
                rebuilt = ""
                if size == sizes[0]:
                    # The rebuild itself, once, where it is quick: it must count what
                    # the load counted (see the module's note on larger sizes).
                    _progress("rebuilding the rollups")
                    rebuild_seconds, report = await _timed(analytics.rebuild)
                    assert report.daily_rollups == len(tables.rollups[DAYS]), "rebuild differs"
                    assert report.theme_daily_rollups == len(tables.themes[DAYS])
                    rebuilt = f"; the rebuild took {rebuild_seconds:.1f} s"
                _progress("timing the queries")
                summary = await analytics.summary(year)
                # The raw aggregation reads every response: timed once, and checked.
                raw_seconds, raw = await _timed(_raw_summary)
                assert summary.nps is not None, "no NPS figures"
                assert (summary.nps.n, summary.nps.promoters) == (raw["n"], raw["promoters"])
                themes = {found.key: found for found in await analytics.themes.summary(year)}
                mentions = await _raw_mentions("billing")
                assert themes["billing"].mentions == mentions, "theme mentions differ"
                figures = {name: await _median(work, runs) for name, work in queries.items()}
                figures["raw"] = raw_seconds
                results.append(figures)
                print(
                    f"{size:,} responses: loaded, counted and indexed in {load_seconds:.1f} s; "
                    f"rollups written in {write_seconds:.1f} s "
                    f"({len(tables.rollups[DAYS]):,} daily, {len(tables.rollups[HOURS]):,} "
                    f"hourly, {len(tables.rollups[SLOTS]):,} quarter-hour){rebuilt}"
                )
                for name, label in QUERIES:
                    kind = "median" if name in ROLLUP_QUERIES else "one run"
                    print(f"    {label:<46} {figures[name] * 1000:9.1f} ms ({kind})")
            if len(results) > 1:
                small, large = results[0], results[-1]
                print(f"ratio {sizes[-1]:,} / {sizes[0]:,} responses (goal: under 2)")
                for name, label in QUERIES:
                    ratio = large[name] / small[name]
                    verdict = (
                        ("meets" if ratio < 2 else "misses")
                        if name in ROLLUP_QUERIES
                        else "no goal"
                    )
                    print(f"    {label:<46} {ratio:9.2f} ({verdict})")
            print("database round trips per call (goal: bounded whatever the period)")
            trips = {
                "metricTrend DAY, America/New_York, 7 days": lambda: analytics.trend(
                    week, Interval.DAY, "America/New_York"
                ),
                "metricTrend DAY, America/New_York, 365 days": queries["trend_day"],
                "metricSummary, one year": queries["summary"],
                "metricBreakdown by country, one year": queries["breakdown"],
                "themeSummary, one year": queries["themes"],
            }
            for label, work in trips.items():
                print(f"    {label:<46} {await _round_trips(counter, work):9d}")
            print(
                f"stored: {await DailyRollup.count():,} daily, {await HourlyRollup.count():,} "
                f"hourly and {await SlotRollup.count():,} quarter-hour rollups, "
                f"{await ThemeDailyRollup.count():,} daily theme rollups; "
                f"the whole run took {time.perf_counter() - whole:.0f} s"
            )
        finally:
            if client is not None:
                await client.close()
            server.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--responses",
        type=int,
        default=1_000_000,
        help=f"the large size, compared with {SMALL:,} responses (default 1,000,000)",
    )
    parser.add_argument("--runs", type=int, default=15, help="timed runs per rollup query")
    args = parser.parse_args()
    sizes = sorted({SMALL, args.responses})
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cpus")
    asyncio.run(run(sizes, args.runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
