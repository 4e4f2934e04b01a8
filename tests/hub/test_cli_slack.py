"""`feedback-hub slack retry` puts held Slack messages back in the queue, of one channel
or all, and refuses a malformed channel id."""

from __future__ import annotations

import pytest

from hub.models.outbox import OutboxMessage, OutboxStatus
from hub.services import Services
from hub.services.platform.outbox import Hold
from hub.settings import Settings
from tests.support.cli import cli

# Subprocesses, real servers, restarts or fuzzing: not in `make test-fast`.
pytestmark = pytest.mark.slow


async def held(services: Services, key: str, channel: str) -> None:
    await services.outbox.enqueue("slack.post", key, channel, {})
    message = await services.outbox.claim("owner", ["slack.post"])
    assert message is not None
    await services.outbox.settle(message, "owner", Hold("not_in_channel"))


async def statuses() -> dict[str, OutboxStatus]:
    return {message.key: message.status for message in await OutboxMessage.find_all().to_list()}


async def test_retry_from_the_command_line(settings: Settings, services: Services) -> None:
    # Given posts held for two channels
    await held(services, "post-1", "CROUTED")
    await held(services, "post-2", "CESCALATE")

    # When an operator retries one channel, then gives a malformed channel id
    one = cli(settings, "slack", "retry", "--channel", "CROUTED")
    bad = cli(settings, "slack", "retry", "--channel", "#general")

    # Then only that channel's post is back in the queue
    assert one.returncode == 0, one.stderr
    assert "CROUTED: 1 held (not_in_channel)" in one.stdout
    assert "Released 1 held Slack message(s)" in one.stdout
    assert bad.returncode == 1
    assert "A Slack channel id looks like C0123ABCD." in bad.stderr
    assert await statuses() == {"post-1": OutboxStatus.PENDING, "post-2": OutboxStatus.HELD}

    # And without a channel, every held post is
    everything = cli(settings, "slack", "retry")
    assert everything.returncode == 0, everything.stderr
    assert await statuses() == {"post-1": OutboxStatus.PENDING, "post-2": OutboxStatus.PENDING}
