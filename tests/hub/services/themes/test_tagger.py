"""The tagger: each comment is tagged off the request path, once, with the rules of
its language, its listeners told in the same transaction; a comment erased while it
waited is not tagged; two taggers at once tag each comment once."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from pymongo.asynchronous.client_session import AsyncClientSession
from starlette.applications import Starlette

from hub.db import Database, cancel_and_wait
from hub.models.response import Response
from hub.models.theme import ThemeTag
from hub.services import Services
from hub.services.themes.tagger import ThemeTagger
from hub.services.widget.stores import responses
from hub.settings import Settings
from tests.support.commands import counting_commands
from tests.support.themes import BILLING, SPEED, RecordingListener, Stalling, recorded
from tests.support.waiting import eventually
from tests.support.widget import Widget


async def tags_of(response: Response) -> list[ThemeTag] | None:
    """The response's tags, or None while it waits for the tagger."""
    found = await Response.get(response.id)
    assert found is not None
    return None if found.themes_pending else found.themes


async def test_a_comment_is_tagged_by_the_running_tagger(app: Starlette) -> None:
    services: Services = app.state.services
    await services.themes.create(BILLING)
    widget = Widget(services)

    response = await widget.answer(3, comment="Your invoices are wrong every month.")
    assert response.themes_pending is True

    await eventually(lambda: _tagged(response))
    assert await tags_of(response) == [
        ThemeTag(theme="billing", language="en", rule="invoice", words=["invoices"])
    ]


async def _tagged(response: Response) -> bool:
    return await tags_of(response) is not None


async def test_each_comment_is_tagged_in_its_language_and_the_listeners_told_once(
    services: Services,
) -> None:
    await services.themes.create(BILLING)
    await services.themes.create(SPEED)
    services.tagger.listeners.append(RecordingListener())
    widget = Widget(services)
    english = await widget.answer(2, comment="Slow pages and a wrong invoice.")
    spanish = await widget.answer(9, comment="Las facturas llegan tarde.", locale="es-MX")
    neither = await widget.answer(10, comment="Not slow at all, great.")
    silent = await widget.answer(8, comment=None)

    assert await services.tagger.drain() == 3
    assert await services.tagger.drain() == 0  # the second run finds nothing

    assert [t.theme for t in await tags_of(english) or []] == ["billing", "speed"]
    assert await tags_of(spanish) == [
        ThemeTag(theme="billing", language="es", rule="factura", words=["facturas"])
    ]
    assert await tags_of(neither) == []
    assert (await Response.get(silent.id)).themes_pending is None  # type: ignore[union-attr]
    assert await recorded() == [
        {"response": english.id, "before": [], "after": ["billing", "speed"]},
        {"response": spanish.id, "before": [], "after": ["billing"]},
        {"response": neither.id, "before": [], "after": []},
    ]


async def test_a_comment_erased_while_it_waited_is_not_tagged(services: Services) -> None:
    await services.themes.create(BILLING)
    services.tagger.listeners.append(RecordingListener())
    response = await Widget(services).answer(3, comment="The invoice is wrong.")
    await Response.find_one(Response.id == response.id).update({"$set": {"comment": None}})

    assert await services.tagger.drain() == 1

    erased = await Response.get(response.id)
    assert erased is not None and erased.themes == [] and erased.themes_pending is None
    assert await recorded() == []


async def test_two_taggers_at_once_tag_each_comment_once(
    services: Services, settings: Settings
) -> None:
    await services.themes.create(BILLING)
    listener = RecordingListener()
    services.tagger.listeners.append(listener)
    # Another process: leases of its own, the same database.
    other = Services.build(settings, services.clock)
    other.tagger.listeners.append(listener)
    widget = Widget(services)
    answered = [await widget.answer(n % 11, comment=f"Invoice number {n}.") for n in range(12)]
    for tagger in (services.tagger, other.tagger):
        tagger.batch = 5

    for _ in range(3):
        await asyncio.gather(services.tagger.drain(), other.tagger.drain())

    calls = await recorded()
    assert sorted(str(call["response"]) for call in calls) == sorted(str(r.id) for r in answered)
    assert all(call["after"] == ["billing"] for call in calls)
    assert not await responses.any_themes_pending()


async def test_a_tagger_cut_off_mid_batch_tags_nothing_and_nothing_twice(
    services: Services,
) -> None:
    await services.themes.create(BILLING)
    widget = Widget(services)
    answered = [await widget.answer(n, comment=f"Invoice {n}.") for n in range(5)]
    stalling = Stalling(after=3)  # the batch has tagged three when it stalls
    services.tagger.listeners.extend([RecordingListener(), stalling])

    running = asyncio.create_task(services.tagger.run_forever())
    await eventually(stalling.stalled.is_set)
    await cancel_and_wait(running)

    assert [await tags_of(r) for r in answered] == [None] * 5
    assert await recorded() == []
    services.tagger.listeners.remove(stalling)
    assert await services.tagger.drain() == 5
    assert sorted(str(c["response"]) for c in await recorded()) == sorted(
        str(r.id) for r in answered
    )


async def test_a_batch_costs_the_same_few_commands_however_many_comments(
    services: Services, mongo_uri: str, database: Database
) -> None:
    await services.themes.create(BILLING)
    widget = Widget(services)
    sent: list[list[str]] = []
    for count in (2, 20):
        for n in range(count):
            await widget.answer(n % 11, comment=f"Invoice {n} is wrong.")
        async with counting_commands(mongo_uri, database) as counter:
            tagger = ThemeTagger(services.leases, services.theme_catalog, batch=50)
            assert await tagger.drain() == count
        sent.append(counter.commands)

    assert sent[0] == sent[1]
    # The lease taken; in one transaction: the lease renewed, the comments read, the
    # themes read, the tags written, committed; the lease given back.
    assert [name for name in sent[0] if name != "endSessions"] == [
        "findAndModify",
        "update",
        "find",
        "find",
        "update",
        "commitTransaction",
        "update",
    ]


async def test_the_tagger_finds_the_waiting_comments_by_an_index_of_them_alone(
    services: Services, mongo_uri: str, database: Database
) -> None:
    await services.themes.create(BILLING)
    widget = Widget(services)
    for n in range(3):
        await widget.answer(n, comment="An invoice.")
    async with counting_commands(mongo_uri, database) as counter:
        await services.tagger.drain()
    read = next(c for c in counter.sent if c.get("find") == "responses")
    command = {key: read[key] for key in ("find", "filter", "sort", "limit")}
    await widget.answer(9, comment="Another invoice.")

    explained = await database.command("explain", command, verbosity="executionStats")

    plan, scans = explained["queryPlanner"]["winningPlan"], []
    while plan:
        scans += [plan.get("indexName")] if plan["stage"] == "IXSCAN" else []
        plan = plan.get("inputStage")
    assert scans == ["themes_pending"]
    assert explained["executionStats"]["totalKeysExamined"] == 1  # the tagged are not in it


async def test_comments_that_share_their_tags_are_written_in_one_statement(
    services: Services, mongo_uri: str, database: Database
) -> None:
    await services.themes.create(BILLING)
    await services.themes.create(SPEED)
    widget = Widget(services)
    texts = ["The invoice is wrong."] * 3 + ["Slow pages."] * 2 + ["Lovely."] * 2
    texts += ["Slow pages and a wrong invoice."]
    answered = [await widget.answer(n, comment=text) for n, text in enumerate(texts)]

    async with counting_commands(mongo_uri, database) as counter:
        assert await services.tagger.drain() == len(texts)

    written = [c for c in counter.sent if "update" in c and c["update"] == "responses"]
    assert len(written) == 1
    # One statement per set of tags: billing, speed, none, billing and speed.
    assert len(written[0]["updates"]) == 4
    themes = [[t.theme for t in await tags_of(response) or []] for response in answered]
    assert themes == [["billing"]] * 3 + [["speed"]] * 2 + [[]] * 2 + [["billing", "speed"]]
    assert not await responses.any_themes_pending()


async def test_a_comment_erased_between_the_taggers_read_and_write_is_not_tagged(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    await services.themes.create(BILLING)
    services.tagger.listeners.append(RecordingListener())
    widget = Widget(services)
    kept = await widget.answer(4, comment="The invoice is late.")
    erased = await widget.answer(5, comment="The invoice is wrong.")
    real_write = responses.write_theme_tags
    attempts: list[int] = []

    async def erased_meanwhile(tagged: Any, session: AsyncClientSession) -> int:
        attempts.append(len(tagged))
        if len(attempts) == 1:
            # Another write commits after the batch was read, before its tags go out.
            await Response.find_one(Response.id == erased.id).update({"$set": {"comment": None}})
        return await real_write(tagged, session)

    monkeypatch.setattr(responses, "write_theme_tags", erased_meanwhile)
    assert await services.tagger.drain() == 2

    gone = await Response.get(erased.id)
    assert gone is not None and gone.comment is None
    assert gone.themes == [] and gone.themes_pending is None
    assert [t.theme for t in await tags_of(kept) or []] == ["billing"]
    assert [call["response"] for call in await recorded()] == [kept.id]
    assert len(attempts) == 2  # the first write conflicted; the batch was read again
