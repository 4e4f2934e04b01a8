"""The operators' list of deliveries: newest first, filtered by status and kind, paged by
a keyset cursor that neither repeats nor skips a delivery queued at the same instant."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hub.clock import FrozenClock
from hub.errors import ValidationFailed
from hub.models.outbox import OutboxMessage, OutboxStatus
from hub.services import Services
from hub.services.platform.outbox import GiveUp


async def queue(services: Services, kind: str, key: str) -> None:
    assert await services.outbox.enqueue(kind, key, "C-ROUTE", {"text": "a comment"})


async def keys_of_every_page(services: Services, first: int) -> list[list[str]]:
    pages: list[list[str]] = []
    after: str | None = None
    while True:
        page = await services.deliveries.page(first=first, after=after)
        pages.append([message.key for _, message in page.edges])
        if not page.has_next_page:
            return pages
        after = page.edges[-1][0]


async def test_deliveries_are_listed_newest_first_a_page_at_a_time(
    services: Services, clock: FrozenClock
) -> None:
    # Given three queued at the same instant and two later
    for key in ("a", "b", "c"):
        await queue(services, "slack.post", key)
    clock.advance(timedelta(minutes=1))
    await queue(services, "email", "d")
    clock.advance(timedelta(minutes=1))
    await queue(services, "slack.update", "e")

    pages = await keys_of_every_page(services, first=2)

    keys = [key for page in pages for key in page]
    assert keys[:2] == ["e", "d"] and sorted(keys[2:]) == ["a", "b", "c"]
    assert [len(page) for page in pages] == [2, 2, 1]
    page = await services.deliveries.page(first=2)
    assert page.total_count == 5 and page.has_next_page


async def test_deliveries_are_filtered_by_status_and_kind(services: Services) -> None:
    await queue(services, "email", "mail-1")
    await queue(services, "email", "mail-2")
    await queue(services, "slack.post", "post-1")
    refused = await services.outbox.claim("owner", ["email"])
    assert refused is not None
    await services.outbox.settle(refused, "owner", GiveUp("SMTP_RECIPIENT_REFUSED"))

    failed = await services.deliveries.page(status=OutboxStatus.FAILED)
    emails = await services.deliveries.page(kind="email")
    pending_emails = await services.deliveries.page(status=OutboxStatus.PENDING, kind="email")

    assert [message.key for _, message in failed.edges] == [refused.key]
    assert failed.edges[0][1].last_error == "SMTP_RECIPIENT_REFUSED"
    assert sorted(message.key for _, message in emails.edges) == ["mail-1", "mail-2"]
    assert {message.key for _, message in pending_emails.edges} == {
        "mail-1",
        "mail-2",
    } - {refused.key}
    assert (failed.total_count, emails.total_count, pending_emails.total_count) == (1, 2, 1)


async def test_a_page_beyond_the_limit_is_refused(services: Services) -> None:
    await queue(services, "email", "mail-1")
    limit = services.settings.max_page_size

    for first in (0, -1, limit + 1, 100_000):
        with pytest.raises(ValidationFailed) as refused:
            await services.deliveries.page(first=first)
        assert refused.value.field == "first"
    assert len((await services.deliveries.page(first=limit)).edges) == 1
    assert await OutboxMessage.find_all().count() == 1
