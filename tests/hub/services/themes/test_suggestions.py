"""Suggested themes against the real database: the phrases, their counts, what is left
out, the sample bound and the emerging test."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import pytest
from beanie import PydanticObjectId

from hub.db import Database
from hub.errors import DomainError, ErrorCode, NotFound
from hub.models.common import Channel, Customer, Metric
from hub.models.response import Response
from hub.models.theme import Theme, ThemeRule
from hub.services import Services
from hub.services.themes.catalog import ThemeCatalog
from hub.services.themes.suggestions import Suggestion, SuggestionRequest, ThemeSuggestions
from tests.factories import make_survey, person
from tests.support.clock import START
from tests.support.commands import CommandCounter, counting_commands

DAY = timedelta(days=1)
# The period asked about: the week up to START; the previous one is the week before.
FROM, TO = START - 7 * DAY, START


@pytest.fixture
async def surveys(services: Services) -> None:
    await make_survey(services, key="nps-main", metric=Metric.NPS)
    await make_survey(services, key="csat-support", metric=Metric.CSAT)


async def comments(
    texts: list[str],
    survey_key: str = "nps-main",
    locale: str = "en",
    score: int = 3,
    end: datetime = TO,
    first_person: int = 1,
    excluded: bool = False,
    username: str | None = None,
) -> list[PydanticObjectId]:
    """Commented responses, one person each (with `username`, if given), a minute apart
    up to `end` (the first text the newest), straight into the database; their ids."""
    metric = Metric.CSAT if survey_key.startswith("csat") else Metric.NPS
    documents = [
        Response(
            survey_key=survey_key,
            metric=metric,
            display_id=PydanticObjectId(),
            score=score,
            comment=text,
            commented_at=end - timedelta(minutes=number + 1),
            product="Accounting",
            customer=Customer(company="Acme AS", country="NO"),
            user=person(first_person + number, **({"username": username} if username else {})),
            channel=Channel.IN_APP_WEB,
            locale=locale,
            answered_at=end - timedelta(minutes=number + 1),
            analytics_excluded=excluded,
        ).model_dump(exclude={"id", "revision_id"})
        for number, text in enumerate(texts)
    ]
    inserted = await Response.get_pymongo_collection().insert_many(documents)
    return [PydanticObjectId(found) for found in inserted.inserted_ids]


async def suggest(services: Services, **fields: Any) -> list[Suggestion]:
    request = replace(SuggestionRequest(["nps-main"], FROM, TO), **fields)
    return (await services.theme_suggestions.suggest(request)).suggestions


def by_phrase(suggestions: list[Suggestion]) -> dict[str, Suggestion]:
    return {suggestion.phrase: suggestion for suggestion in suggestions}


INVOICES = [
    "The invoice was wrong and the invoice was late.",
    "Wrong invoices again this month",
    "Invoicing is confusing",
    "My invoice never arrived",
    "The dashboard looks great",
]


async def test_inflected_forms_are_one_phrase_counted_once_per_comment(
    services: Services, surveys: None
) -> None:
    ids = await comments(INVOICES, score=4)

    found = by_phrase(await suggest(services))

    invoice = found["invoice"]
    # "invoice", "invoices" and "invoicing" share the stem; the first comment says it
    # twice and counts once.
    assert invoice.comments == 4
    assert invoice.share == pytest.approx(4 / 5)
    assert (invoice.metric, invoice.average_score) == (Metric.NPS, 4.0)
    assert invoice.examples == ids[:3]  # the newest first
    assert invoice.rule == ThemeRule(language="en", terms=["invoice"], exclusions=[])
    # A phrase of one comment only is no suggestion.
    assert "dashboard" not in found


async def test_a_phrase_a_theme_covers_is_left_out(services: Services, surveys: None) -> None:
    await comments(INVOICES)
    assert "invoice" in by_phrase(await suggest(services))

    await Theme(
        key="billing",
        name="Billing",
        name_folded="billing",
        rules=[ThemeRule(language="en", terms=["invoic*"])],
        created_at=START,
        updated_at=START,
    ).insert()
    services.theme_suggestions.catalog.forget()

    assert "invoice" not in by_phrase(await suggest(services))


async def test_a_phrase_a_higher_suggestion_covers_is_left_out(
    services: Services, surveys: None
) -> None:
    await comments(["Slow export", "Export is slow", "The export fails", "Slow export again"])

    phrases = [suggestion.phrase for suggestion in await suggest(services)]

    assert phrases[0] == "export"
    assert "slow export" not in phrases  # a theme made from "export" tags it


async def test_phrases_of_exactly_the_same_comments_are_one_suggestion(
    services: Services, surveys: None
) -> None:
    await comments(["Support answered quickly", "Support answered quickly, thanks!"])

    [suggestion] = await suggest(services)

    # The best-ranked of the single words they share (fewest words, then YAKE's
    # relevance), with the other phrases its rule would not match listed with it.
    assert (suggestion.phrase, suggestion.comments) == ("quickly", 2)
    assert suggestion.related == ["support", "answered", "support answered"]


async def test_only_the_surveys_asked_about_are_read(services: Services, surveys: None) -> None:
    await comments(["Shipping was slow", "Shipping costs too much"], survey_key="csat-support")
    await comments(["Invoice wrong", "Invoice late"])

    found = await services.theme_suggestions.suggest(
        SuggestionRequest(survey_keys=["nps-main"], date_from=FROM, date_to=TO)
    )

    assert found.comments_read == 2
    assert set(by_phrase(found.suggestions)) == {"invoice"}
    # A survey named twice is read once.
    twice = await services.theme_suggestions.suggest(
        SuggestionRequest(survey_keys=["nps-main", "nps-main"], date_from=FROM, date_to=TO)
    )
    assert twice == found


async def test_comments_outside_the_period_are_not_read(services: Services, surveys: None) -> None:
    await comments(["Invoice wrong", "Invoice late"], end=TO + DAY)

    found = await services.theme_suggestions.suggest(
        SuggestionRequest(survey_keys=["nps-main"], date_from=FROM, date_to=TO)
    )

    assert (found.comments_read, found.suggestions) == (0, [])


async def test_responses_taken_out_of_analytics_are_not_read(
    services: Services, surveys: None
) -> None:
    await comments(["Invoice wrong", "Invoice late"], excluded=True)
    await comments(["Invoice missing"], first_person=10)

    found = await services.theme_suggestions.suggest(
        SuggestionRequest(survey_keys=["nps-main"], date_from=FROM, date_to=TO)
    )

    assert found.comments_read == 1
    assert found.suggestions == []


async def test_metrics_mixed_give_no_average(services: Services, surveys: None) -> None:
    await comments(["Invoice wrong"], score=2)
    await comments(["Invoice late"], survey_key="csat-support", first_person=5, score=1)

    [invoice] = await suggest(services, survey_keys=["nps-main", "csat-support"])

    assert (invoice.comments, invoice.metric, invoice.average_score) == (2, None, None)


async def test_each_language_has_its_own_phrases(services: Services, surveys: None) -> None:
    await comments(["La factura llegó tarde", "Las facturas tienen errores"], locale="es-MX")
    await comments(["Fakturaen var feil", "Fakturaen kom for sent"], locale="no", first_person=5)
    await comments(["Invoice wrong", "Invoice late"], first_person=9)

    every = {(s.language, s.phrase) for s in await suggest(services)}
    spanish = {(s.language, s.phrase) for s in await suggest(services, language="es")}
    norwegian = {(s.language, s.phrase) for s in await suggest(services, language="nb")}

    assert {("es", "factura"), ("nb", "fakturaen"), ("en", "invoice")} <= every
    assert spanish == {("es", "factura")}
    assert {(s.language, s.phrase) for s in await suggest(services, language=" ES ")} == spanish
    assert norwegian == {("nb", "fakturaen")}


async def test_a_phrase_quoting_a_person_is_left_out(services: Services, surveys: None) -> None:
    # A known username, so masked for most roles, and a phrase YAKE would find.
    await comments(["Ask Kjetilsen about billing", "Kjetilsen fixed billing"], username="kjetilsen")

    assert set(by_phrase(await suggest(services))) == {"billing"}


async def test_the_same_comments_give_the_same_answer(services: Services, surveys: None) -> None:
    texts = [
        f"{word} is slow and the {other} is broken"
        for word in ("Export", "Import")
        for other in ("menu", "search", "login")
    ]
    await comments(texts * 3)
    request = SuggestionRequest(survey_keys=["nps-main"], date_from=FROM, date_to=TO, limit=5)

    first = await services.theme_suggestions.suggest(request)
    second = await services.theme_suggestions.suggest(request)

    assert first == second
    assert len(first.suggestions) == 5
    counts = [suggestion.comments for suggestion in first.suggestions]
    assert counts == sorted(counts, reverse=True)


async def test_two_calls_at_once_give_the_same_answer(services: Services, surveys: None) -> None:
    await comments(INVOICES)
    request = SuggestionRequest(survey_keys=["nps-main"], date_from=FROM, date_to=TO)

    first, second = await asyncio.gather(
        services.theme_suggestions.suggest(request), services.theme_suggestions.suggest(request)
    )

    assert first == second
    assert "invoice" in by_phrase(first.suggestions)


@pytest.fixture
async def counter(mongo_uri: str, database: Database) -> AsyncIterator[CommandCounter]:
    async with counting_commands(mongo_uri, database) as counting:
        yield counting


async def test_at_most_the_sample_is_read_per_period(
    services: Services, surveys: None, counter: CommandCounter
) -> None:
    await comments([f"Invoice number {number} was wrong" for number in range(30)])
    await comments([f"Invoice {number} late" for number in range(30)], end=FROM, first_person=50)
    suggestions = ThemeSuggestions(services.surveys, ThemeCatalog(), sample=10)
    counter.clear()

    found = await suggestions.suggest(
        SuggestionRequest(survey_keys=["nps-main"], date_from=FROM, date_to=TO)
    )

    assert (found.comments_read, found.sampled) == (10, True)
    assert (found.previous_comments_read, found.previous_sampled) == (10, True)
    finds = [command for command in counter.sent if next(iter(command)) == "find"]
    responses = [command for command in finds if command["find"] == "responses"]
    assert [command["limit"] for command in responses] == [11, 11]
    assert all(command["hint"] == {"survey_key": 1, "answered_at": -1} for command in responses)
    assert "getMore" not in counter.commands
    [invoice] = [s for s in found.suggestions if s.phrase == "invoice"]
    assert invoice.comments == 10


async def test_a_phrase_whose_share_rose_is_emerging(services: Services, surveys: None) -> None:
    others = [f"The {word} page is fine" for word in ("menu", "search", "home", "help")] * 5
    before = ["The export is slow", *others[:19]]
    now = [f"The export is slow ({number})" for number in range(10)] + others[:10]
    await comments(before, end=FROM, first_person=100)
    await comments(now)

    found = await suggest(services)

    # Every comment that says "export" says "slow": one suggestion.
    [export] = [suggestion for suggestion in found if "export" in suggestion.related]
    assert export.phrase == "slow"
    assert (export.comments, export.previous_comments) == (10, 1)
    assert export.share == pytest.approx(0.5)
    assert export.previous_share == pytest.approx(0.05)
    assert export.p_value is not None and export.p_value < 0.01
    assert export.emerging
    [page] = [suggestion for suggestion in found if "page" in suggestion.related]
    assert page.previous_share is not None and page.share < page.previous_share
    assert not page.emerging


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        ({"language": "de"}, ErrorCode.UNSUPPORTED_LANGUAGE, "language"),
        ({"date_to": FROM}, ErrorCode.INVALID_INPUT, "period.dateTo"),
        ({"date_from": FROM.replace(tzinfo=None)}, ErrorCode.INVALID_INPUT, "period.dateFrom"),
        ({"limit": 0}, ErrorCode.INVALID_INPUT, "limit"),
        ({"limit": 101}, ErrorCode.INVALID_INPUT, "limit"),
        ({"min_comments": 1}, ErrorCode.INVALID_INPUT, "minComments"),
        ({"survey_keys": []}, ErrorCode.INVALID_INPUT, "surveyKeys"),
    ],
)
async def test_bad_input_is_a_typed_error(
    services: Services, surveys: None, fields: dict[str, Any], code: ErrorCode, field: str
) -> None:
    with pytest.raises(DomainError) as raised:
        await suggest(services, **fields)
    assert (raised.value.code, raised.value.field) == (code, field)


async def test_an_unknown_survey_is_not_found(services: Services, surveys: None) -> None:
    with pytest.raises(NotFound):
        await suggest(services, survey_keys=["nps-main", "nps-typo"])
