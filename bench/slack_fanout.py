"""Slack fan-out: 2,000 comments routed to 5 channels of the local fake Slack Web API,
which allows one message per second per channel and answers 429 beyond it.

Runs the hub in process (its outbox dispatcher and Slack delivery) on the embedded
database, writes the comments through the widget services, and waits until every
follow-up is in a Slack message. Prints the time to deliver all, messages posted,
digests used, 429s received, duplicates (must be 0) and lost follow-ups (must be 0).

    python bench/slack_fanout.py [--comments 2000] [--channels 5]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import os
import sys
import tempfile
import time
from pathlib import Path

from pydantic import SecretStr

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bots.slack import blocks  # noqa: E402
from hub.db import EmbeddedDatabase  # noqa: E402
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


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--comments", type=int, default=2000)
    parser.add_argument("--channels", type=int, default=5)
    args = parser.parse_args()

    slack = FakeSlack(posts_per_second=1.0)
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
                print(f"wrote {args.comments} comments in {time.perf_counter() - written:.1f} s")

                started = time.perf_counter()
                dispatcher = asyncio.create_task(services.dispatcher.run_forever())
                try:
                    while await FollowUp.find({"posts": {"$size": 0}}).count():
                        if time.perf_counter() - started > 1800:
                            raise TimeoutError("not delivered within 30 minutes")
                        await asyncio.sleep(0.5)
                finally:
                    dispatcher.cancel()
                elapsed = time.perf_counter() - started
                follow_ups = await FollowUp.find_all().to_list()
        finally:
            database.stop()
            await slack.stop()

    posted = [m for m in slack.messages.values()]
    seen: collections.Counter[str] = collections.Counter()
    digests = 0
    for message in posted:
        _, ids = blocks.follow_up_ids_in(message.metadata)
        seen.update(ids)
        digests += len(ids) > 1
    expected = {str(f.id) for f in follow_ups}
    duplicates = sum(count - 1 for count in seen.values() if count > 1)
    lost = len(expected - set(seen))
    print(f"delivered {len(expected)} follow-ups to {args.channels} channels in {elapsed:.1f} s")
    print(
        f"messages posted {len(posted)}, digests {digests}, "
        f"single posts {len(posted) - digests}, 429 answers {slack.throttled}"
    )
    print(f"duplicates {duplicates} (must be 0), lost {lost} (must be 0)")
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    if duplicates or lost:
        sys.exit(1)


if __name__ == "__main__":
    asyncio.run(main())
