"""Slack fan-out: 2,000 comments routed to 5 channels of the local fake Slack Web API,
which allows one message per second per channel and answers 429 beyond it.

Runs the hub in process (its outbox dispatcher and Slack delivery) on the embedded
database, writes the comments through the widget services, then runs the dispatcher
until every follow-up is in a Slack message. Prints the time to write them and to
deliver them all, against the rate limit's floor for the digests needed (goal: at
most twice), messages posted, digests, 429s, and, counted in the fake Slack's records,
duplicates and lost follow-ups (both must be 0). A second pass does the same with
Slack answering 429 with Retry-After to a number of posts early in the run.

    python bench/slack_fanout.py [--comments 2000] [--channels 5] [--forced-429s 15]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import math
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from pydantic import SecretStr

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bots.slack import blocks  # noqa: E402
from hub.db import EmbeddedDatabase, cancel_and_wait  # noqa: E402
from hub.models.activity import DisplayContext  # noqa: E402
from hub.models.common import Channel, Metric, UserIdentity  # noqa: E402
from hub.models.followup import FollowUp  # noqa: E402
from hub.models.routing import RoutingMatch  # noqa: E402
from hub.models.survey import SurveyStatus, SurveyText  # noqa: E402
from hub.server.app import create_app  # noqa: E402
from hub.services import Services  # noqa: E402
from hub.services.followups.routing import RuleDraft  # noqa: E402
from hub.services.surveys.surveys import SurveyDraft  # noqa: E402
from hub.settings import Settings  # noqa: E402
from tests.support.slack import FakeSlack  # noqa: E402

RATE = 1.0  # messages per second and channel, as Slack allows
GOAL = 2.0  # delivery time / the rate limit's floor
RETRY_AFTER = 2  # seconds, in the forced 429 answers of the second pass


async def write_comments(services: Services, comments: int, channels: int) -> None:
    for number in range(channels):
        await services.routing.create_rule(
            RuleDraft(
                name=f"product {number}",
                channel_id=f"C0FANOUT{number}",
                priority=number,
                match=RoutingMatch(product=f"Product {number}"),
            )
        )

    async def one(number: int) -> None:
        user = UserIdentity(id=f"fan-{number}", email=f"fan{number}@example.org")
        context = DisplayContext(product=f"Product {number % channels}", country="NO")
        display = await services.responses.record_display(
            "fanout", user, Channel.IN_APP_WEB, context, "en"
        )
        response = await services.responses.submit_score(str(display.id), 9)
        await services.responses.submit_comment(str(response.id), f"Comment number {number}")

    for start in range(0, comments, 50):
        await asyncio.gather(*(one(n) for n in range(start, min(start + 50, comments))))


@dataclass
class Pass:
    """What one pass delivered, read from the fake Slack's own records."""

    written_seconds: float
    delivered_seconds: float
    follow_ups: int
    posted: int
    digests: int
    throttled: int
    forced: int
    duplicates: int
    lost: int
    floor_seconds: float
    # The floor with the Retry-After of each forced 429 added on its channel: the
    # least time Slack's answers allowed.
    floor_with_waits_seconds: float


def in_slack(slack: FakeSlack) -> set[str]:
    """The follow-ups in the messages Slack holds."""
    found: set[str] = set()
    for message in list(slack.messages.values()):
        found.update(blocks.follow_up_ids_in(message.metadata)[1])
    return found


def rate_floor(
    per_channel: collections.Counter[str],
    per_second: float,
    waits: collections.Counter[str] | None = None,
) -> float:
    """The least time the rate limit allows: each channel's follow-ups in as few
    digests as hold them, one message per 1/`per_second` seconds and channel, plus
    the seconds Slack told the channel to wait (`waits`), the channels in parallel."""
    waited = waits if waits is not None else collections.Counter()
    return max(
        (
            math.ceil(count / blocks.MAX_DIGEST_LINES) / per_second + waited[channel]
            for channel, count in per_channel.items()
        ),
        default=0.0,
    )


async def fan_out(args: argparse.Namespace, forced_429s: int) -> Pass:
    """Write the comments, then run the dispatcher until every follow-up is in Slack;
    with `forced_429s`, that many posts after the first second are answered 429 with
    Retry-After (on top of the rate limit's own)."""
    slack = FakeSlack(posts_per_second=RATE)
    await slack.start()
    with tempfile.TemporaryDirectory() as folder:
        database = EmbeddedDatabase(Path(folder) / "db")
        database.start()
        try:
            await database.wait_ready()
            settings = Settings(
                _env_file=None,
                mongodb_uri=SecretStr(database.uri),
                db_name="bench_fanout",
                data_dir=Path(folder) / "data",
                slack_bot_token=SecretStr("xoxb-bench"),
                slack_api_url=slack.api_url,
                outbox_poll_seconds=0.2,
                background_workers=False,
                log_level="WARNING",
            )
            app = create_app(settings)
            async with app.router.lifespan_context(app):
                services: Services = app.state.services
                await services.surveys.create(
                    SurveyDraft(
                        key="fanout",
                        metric=Metric.NPS,
                        product="Fan-out",
                        texts=[SurveyText(locale="en", question="Q", follow_up="F", thank_you="T")],
                        default_locale="en",
                        channels=[Channel.IN_APP_WEB],
                        status=SurveyStatus.ACTIVE,
                    )
                )
                written = time.perf_counter()
                await write_comments(services, args.comments, args.channels)
                written_seconds = time.perf_counter() - written

                expected = {str(f.id) for f in await FollowUp.find_all().to_list()}
                started = time.perf_counter()
                dispatcher = asyncio.create_task(services.dispatcher.run_forever())
                try:
                    if forced_429s:
                        await asyncio.sleep(1.0)
                        slack.fail(
                            "chat.postMessage", 429, times=forced_429s, retry_after=RETRY_AFTER
                        )
                    # Watched in the fake Slack's records, not in the database: a query
                    # every few milliseconds would compete with the delivery it times.
                    while not expected <= in_slack(slack):
                        if time.perf_counter() - started > 1800:
                            raise TimeoutError("not delivered within 30 minutes")
                        await asyncio.sleep(0.05)
                    elapsed = time.perf_counter() - started
                    # Not timed: the hub records each post on its follow-up too.
                    while await FollowUp.find({"posts": {"$size": 0}}).count():
                        if time.perf_counter() - started > 1800:
                            raise TimeoutError("not recorded within 30 minutes")
                        await asyncio.sleep(0.5)
                finally:
                    await cancel_and_wait(dispatcher)
        finally:
            database.stop()
            await slack.stop()

    posted = list(slack.messages.values())
    seen: collections.Counter[str] = collections.Counter()
    per_channel: collections.Counter[str] = collections.Counter()
    waits: collections.Counter[str] = collections.Counter()
    for call in slack.faulted:
        waits[str(call.args.get("channel"))] += RETRY_AFTER
    digests = 0
    for message in posted:
        _, ids = blocks.follow_up_ids_in(message.metadata)
        seen.update(ids)
        per_channel[message.channel] += len(ids)
        digests += len(ids) > 1
    return Pass(
        written_seconds=written_seconds,
        delivered_seconds=elapsed,
        follow_ups=len(expected),
        posted=len(posted),
        digests=digests,
        throttled=slack.throttled,
        forced=forced_429s,
        duplicates=sum(count - 1 for count in seen.values() if count > 1),
        lost=len(expected - set(seen)),
        floor_seconds=rate_floor(per_channel, RATE),
        floor_with_waits_seconds=rate_floor(per_channel, RATE, waits),
    )


def report(label: str, result: Pass, channels: int) -> None:
    ratio = result.delivered_seconds / result.floor_seconds
    print(f"{label}:")
    print(f"  wrote {result.follow_ups:,} comments in {result.written_seconds:.1f} s")
    print(
        f"  delivered {result.follow_ups:,} follow-ups to {channels} channels in "
        f"{result.delivered_seconds:.1f} s; the rate limit's floor for the digests needed "
        f"{result.floor_seconds:.1f} s; ratio {ratio:.2f} ({verdict(ratio)})"
    )
    if result.forced:
        waited = result.delivered_seconds / result.floor_with_waits_seconds
        print(
            f"  with the Retry-After of the forced 429s added to their channels the floor is "
            f"{result.floor_with_waits_seconds:.1f} s; ratio {waited:.2f} ({verdict(waited)})"
        )
    print(
        f"  messages posted {result.posted}, digests {result.digests}, single posts "
        f"{result.posted - result.digests}; 429 answers: {result.throttled} for the rate "
        f"limit, {result.forced} forced with Retry-After {RETRY_AFTER} s"
    )
    print(f"  duplicates {result.duplicates} (must be 0), lost {result.lost} (must be 0)")


def verdict(ratio: float) -> str:
    return f"{'meets' if ratio <= GOAL else 'misses'} the goal of ≤ {GOAL}"


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--comments", type=int, default=2000)
    parser.add_argument("--channels", type=int, default=5)
    parser.add_argument(
        "--forced-429s",
        type=int,
        default=15,
        help="posts answered 429 with Retry-After in the second pass (0: no second pass)",
    )
    args = parser.parse_args()
    print(
        f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}; "
        f"{RATE:g} message per second and channel",
        flush=True,
    )
    results = [("pass 1, Slack answering within its rate limit", await fan_out(args, 0))]
    report(*results[0], args.channels)
    if args.forced_429s:
        results.append(
            (
                f"pass 2, Slack answering {args.forced_429s} posts 429 after the first second",
                await fan_out(args, args.forced_429s),
            )
        )
        report(*results[1], args.channels)
    return 1 if any(result.duplicates or result.lost for _, result in results) else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
