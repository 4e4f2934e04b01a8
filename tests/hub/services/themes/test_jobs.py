"""Re-tag jobs: a change of the themes re-tags the past comments in the background,
in chunks, with its progress recorded; a newer change supersedes an older job; a job
cut off goes on where it stopped, and no comment is re-tagged twice."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from hub.db import Database, cancel_and_wait
from hub.models.response import Response
from hub.models.theme import ThemeJobStatus, ThemeRule
from hub.services import Services
from hub.services.themes.catalog import ThemeChanges
from hub.settings import Settings
from tests.support.commands import counting_commands
from tests.support.themes import BILLING, SPEED, RecordingListener, Stalling, recorded
from tests.support.waiting import eventually
from tests.support.widget import Widget

RECEIPTS = [ThemeRule(language="en", terms=["receipt"])]


async def themes_of(response: Response) -> list[str]:
    found = await Response.get(response.id)
    assert found is not None and not found.themes_pending
    return [tag.theme for tag in found.themes]


async def comments(widget: Widget, texts: Sequence[str]) -> list[Response]:
    return [await widget.answer(n % 11, comment=text) for n, text in enumerate(texts)]


async def test_an_edit_retags_past_comments_and_reports_progress(services: Services) -> None:
    await services.themes.create(BILLING)
    widget = Widget(services)
    answered = await comments(
        widget, ["The invoice is late.", "No receipt came.", "A receipt and an invoice."] * 3
    )
    await widget.answer(7, comment=None)
    await services.tagger.drain()
    await services.theme_jobs.run_pending()
    services.theme_jobs.listeners.append(RecordingListener())
    services.theme_jobs.chunk = 2

    await services.themes.update("billing", ThemeChanges(rules=RECEIPTS))
    job = await services.theme_jobs.run_pending()

    assert job is not None and job.status is ThemeJobStatus.DONE
    stored = (await services.theme_jobs.jobs())[0]
    assert (stored.status, stored.processed, stored.total, stored.changed) == (
        ThemeJobStatus.DONE,
        9,
        9,
        9,  # every tag changed: lost, gained, or now explained by the new rule
    )
    assert stored.started_at is not None and stored.finished_at is not None
    assert [await themes_of(r) for r in answered[:3]] == [[], ["billing"], ["billing"]]
    calls = await recorded()
    assert sorted((tuple(c["before"]), tuple(c["after"])) for c in calls) == sorted(
        [(("billing",), ()), ((), ("billing",)), (("billing",), ("billing",))] * 3
    )
    assert await services.theme_jobs.run_pending() is None  # nothing left to run


async def test_a_deleted_theme_leaves_no_tag_behind(services: Services) -> None:
    await services.themes.create(BILLING)
    await services.themes.create(SPEED)
    answered = await comments(Widget(services), ["Slow invoices.", "Fast."])
    await services.tagger.drain()

    await services.themes.delete("billing")
    job = await services.theme_jobs.run_pending()

    assert job is not None and (job.processed, job.changed) == (2, 1)
    assert [await themes_of(r) for r in answered] == [["speed"], ["speed"]]


async def test_comments_still_waiting_are_tagged_by_the_job_once(services: Services) -> None:
    answered = await comments(Widget(services), ["An invoice.", "Nothing."])
    services.theme_jobs.listeners.append(RecordingListener())  # the tagger's too

    await services.themes.create(BILLING)
    job = await services.theme_jobs.run_pending()

    assert job is not None and (job.processed, job.changed) == (2, 1)
    assert [await themes_of(r) for r in answered] == [["billing"], []]
    assert await services.tagger.drain() == 0
    assert len(await recorded()) == 2


async def test_a_newer_change_supersedes_the_job_under_way(services: Services) -> None:
    await services.themes.create(BILLING)
    await services.themes.update("billing", ThemeChanges(rules=RECEIPTS))
    await services.themes.create(SPEED)

    await services.theme_jobs.run_pending()

    statuses = [job.status for job in await services.theme_jobs.jobs()]
    assert statuses == [ThemeJobStatus.DONE] + [ThemeJobStatus.SUPERSEDED] * 2


async def test_a_job_cut_off_goes_on_where_it_stopped(
    services: Services, settings: Settings
) -> None:
    answered = await comments(Widget(services), [f"Invoice {n}." for n in range(7)])
    await services.tagger.drain()
    stalling = Stalling(after=4)  # two chunks of two commit; the third stalls
    services.theme_jobs.listeners.extend([RecordingListener(), stalling])
    services.theme_jobs.chunk = 2

    await services.themes.create(BILLING)
    running = asyncio.create_task(services.theme_jobs.run_pending())
    await eventually(stalling.stalled.is_set)
    await cancel_and_wait(running)  # the process dies mid-chunk

    [cut] = await services.theme_jobs.jobs()
    assert (cut.status, cut.processed, cut.total) == (ThemeJobStatus.RUNNING, 4, 7)
    assert cut.last_response_id == answered[3].id
    # Another process takes it over.
    other = Services.build(settings, services.clock)
    other.theme_jobs.listeners.append(RecordingListener())
    other.theme_jobs.chunk = 2
    job = await other.theme_jobs.run_pending()

    assert job is not None
    assert (job.status, job.processed, job.total, job.changed) == (ThemeJobStatus.DONE, 7, 7, 7)
    assert [await themes_of(r) for r in answered] == [["billing"]] * 7
    assert sorted(str(c["response"]) for c in await recorded()) == sorted(
        str(r.id) for r in answered
    )


class Broken:
    """A listener with a bug."""

    async def tags_changed(self, *args: object) -> None:
        raise KeyError("a bug")


async def test_a_job_that_fails_says_so_and_changes_nothing_of_its_chunk(
    services: Services,
) -> None:
    answered = await comments(Widget(services), ["An invoice."])
    await services.tagger.drain()
    services.theme_jobs.listeners.append(Broken())

    await services.themes.create(BILLING)
    job = await services.theme_jobs.run_pending()

    assert job is not None
    [stored] = await services.theme_jobs.jobs()
    assert (stored.status, stored.error, stored.processed) == (ThemeJobStatus.FAILED, "KeyError", 0)
    assert stored.finished_at is not None
    assert await themes_of(answered[0]) == []


async def test_a_chunk_costs_the_same_few_commands_however_many_comments_it_holds(
    services: Services, mongo_uri: str, database: Database
) -> None:
    widget = Widget(services)
    await services.themes.create(BILLING)
    sent: list[list[str]] = []
    for count, term in ((4, "invoic*"), (8, "invoice*")):
        await comments(widget, ["An invoice."] * count)
        await services.tagger.drain()
        await services.theme_jobs.run_pending()
        rules = [ThemeRule(language="en", terms=[term])]
        await services.themes.update("billing", ThemeChanges(rules=rules))
        total = await Response.find({"comment": {"$ne": None}}).count()
        services.theme_jobs.chunk = total // 2
        async with counting_commands(mongo_uri, database) as counter:
            job = await services.theme_jobs.run_pending()
        assert job is not None and job.changed == job.total == total  # each rule's words
        sent.append([name for name in counter.commands if name != "endSessions"])

    # Two chunks each, whatever their size: in each, the lease renewed, the job's status
    # read, the comments read, their tags written, the progress counted, committed.
    assert sent[0] == sent[1]
    chunk = ["update", "find", "find", "update", "update", "commitTransaction"]
    assert sent[0][6:18] == chunk * 2
