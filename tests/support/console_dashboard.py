"""Answers for the dashboard's tests, and the figures read back from its page."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from hub.clock import FrozenClock
from hub.models.common import Channel, Metric
from hub.services import Services
from tests.factories import context, make_survey, person
from tests.support.console import text_of

# The clock when the page is opened: the default period (90 days) ends this day.
NOW = datetime(2026, 3, 20, 12, tzinfo=UTC)

# (day, hour UTC, score or None for a display without an answer, comment, country, company)
NPS_ANSWERS = [
    ((2026, 2, 2), 9, 10, "Fast and clear", "NO", "Acme AS"),
    ((2026, 2, 2), 10, 9, None, "NO", "Acme AS"),
    ((2026, 2, 9), 11, 3, "Invoices are slow", "SE", "Beta AB"),
    ((2026, 2, 9), 12, None, None, "SE", "Beta AB"),
    ((2026, 3, 1), 23, 7, None, "DK", "Gamma ApS"),  # 2 March in Oslo
    ((2026, 3, 3), 8, 6, "Too many clicks", "NO", "Acme AS"),
    ((2026, 3, 3), 9, None, None, "NO", "Acme AS"),
    ((2026, 3, 16), 14, 10, None, "SE", "Beta AB"),
]
CSAT_ANSWERS = [
    ((2026, 3, 4), 9, 5, "Helpful", "NO", "Acme AS"),
    ((2026, 3, 5), 9, 2, None, "NO", "Acme AS"),
    ((2026, 3, 6), 9, 4, None, "FI", "Delta Oy"),
]
CES_ANSWERS = [
    ((2026, 3, 7), 9, 6, None, "NO", "Acme AS"),
    ((2026, 3, 8), 9, 3, None, "NO", "Acme AS"),
    ((2026, 3, 8), 10, 7, None, "NO", "Acme AS"),
]


async def answer_surveys(services: Services, clock: FrozenClock) -> None:
    """An NPS survey (nps-main), a CSAT survey (csat-help) and a CES survey (ces-setup)
    answered in February and March 2026, some displays left unanswered; the clock
    ends at NOW."""
    await make_survey(services)
    await make_survey(services, key="csat-help", metric=Metric.CSAT, product="Support")
    await make_survey(services, key="ces-setup", metric=Metric.CES, product="Setup")
    number = 0
    surveys = (("nps-main", NPS_ANSWERS), ("csat-help", CSAT_ANSWERS), ("ces-setup", CES_ANSWERS))
    for survey, answers in surveys:
        for (year, month, day), hour, score, comment, country, company in answers:
            number += 1
            clock.set(datetime(year, month, day, hour, tzinfo=UTC))
            display = await services.responses.record_display(
                survey,
                person(number),
                Channel.IN_APP_WEB,
                context(country=country, company=company),
                "en",
            )
            if score is None:
                continue
            response = await services.responses.submit_score(str(display.id), score)
            if comment:
                await services.responses.submit_comment(str(response.id), comment)
    clock.set(NOW)


def figure(page: str, name: str) -> str:
    """The text of the page's `data-figure="name"` element."""
    found = re.search(rf'data-figure="{re.escape(name)}">([^<]*)<', page)
    assert found, f"no figure {name}"
    return found.group(1).strip()


DASH = "\u2013"  # what the page shows for a figure without data


def number(text: str) -> float | None:
    """A figure as the page shows it: a number, or None for an en dash."""
    return None if text == DASH else float(text)


def table_rows(page: str, table_id: str) -> list[list[str]]:
    """The body rows of the page's table `table_id`, each cell's text."""
    found = re.search(rf'<table id="{re.escape(table_id)}"[^>]*>(.*?)</table>', page, re.S)
    assert found, f"no table {table_id}"
    body = found.group(1).split("<tbody>", 1)[1]
    return [
        [text_of(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]
