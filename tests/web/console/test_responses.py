"""The responses list: masked as the API masks for each role, paged by cursor,
filtered by the URL, linked to follow-ups; bad filters get a 400 page."""

from __future__ import annotations

import pytest

from hub.models.common import Metric, Role
from hub.models.privacy import AuditEntry
from hub.services import Services
from tests.support.console import ConsoleClient, text_of
from tests.support.console_board import follow_up_links, sign_in_as
from tests.support.widget import Widget, follow_up_of


@pytest.fixture
def slack_sign_in() -> bool:
    return False


@pytest.fixture
def widget(services: Services) -> Widget:
    return Widget(services)


async def test_a_viewer_sees_masked_people_and_a_privacy_officer_sees_them(
    console: ConsoleClient, second_browser: ConsoleClient, services: Services, widget: Widget
) -> None:
    # Given a response whose comment names the person's address
    await widget.answer(3, "Write to me at person1@example.org please")

    # When a viewer opens the list
    await sign_in_as(console, services, Role.VIEWER, "Vera Viewer")
    seen_by_viewer = await console.open("/console/responses")

    # Then the person and the address in the comment are hidden
    assert "person1@example.org" not in seen_by_viewer
    assert "hidden for your role" in text_of(seen_by_viewer)
    assert "Write to me at" in seen_by_viewer
    assert "NPS 3" in text_of(seen_by_viewer)

    # And a privacy officer sees them, as the API shows them
    await sign_in_as(second_browser, services, Role.PRIVACY_OFFICER, "Pia Privacy")
    seen_by_officer = await second_browser.open("/console/responses")
    assert "person1@example.org" in seen_by_officer
    assert "hidden for your role" not in text_of(seen_by_officer)

    # And the audit log says who saw it: the signed-in officer
    [reveal] = await AuditEntry.find(AuditEntry.action == "personal_data.reveal").to_list()
    assert (reveal.actor.label, reveal.actor.role) == ("Pia Privacy", "privacy_officer")


async def test_pages_follow_the_cursor_and_keep_the_filters(
    console: ConsoleClient, services: Services, widget: Widget
) -> None:
    for score in range(30):
        await widget.answer(score % 11, comment=None)
    await sign_in_as(console, services, Role.VIEWER, "Vera Viewer")

    first = await console.open("/console/responses?comment=no")
    assert "30 responses match." in text_of(first)
    assert first.count("<tr>") == 26  # the header and 25 responses
    [next_link] = [part.split('"')[0] for part in first.split('href="')[1:] if 'rel="next"' in part]
    assert next_link.startswith("/console/responses?comment=no&amp;after=")

    second = await console.open(next_link.replace("&amp;", "&"))
    assert second.count("<tr>") == 6
    assert 'rel="next"' not in second
    assert "First page" in second


async def test_filters_narrow_the_list(
    console: ConsoleClient, services: Services, widget: Widget
) -> None:
    await widget.answer(2, "Too slow")
    await widget.answer(10, "Lovely")
    await widget.answer(8, comment=None)
    await widget.answer(5, "Hard", survey_key="csat-main", metric=Metric.CSAT)
    await sign_in_as(console, services, Role.VIEWER, "Vera Viewer")

    async def count(query: str) -> str:
        return text_of(await console.open(f"/console/responses?{query}")).split(" responses")[0]

    assert (await count("")).endswith("4")
    assert (await count("metric=NPS&band=unfavourable")).endswith("1")
    assert (await count("metric=NPS&band=middle")).endswith("1")
    assert (await count("metric=NPS&band=favourable")).endswith("1")
    assert (await count("comment=yes")).endswith("3")
    assert (await count("survey=csat-main")).endswith("1")
    assert (await count("from=2000-01-01&to=2000-01-02")).endswith("0")


@pytest.mark.parametrize(
    "query",
    [
        "metric=XYZ",
        "band=favourable",
        "metric=NPS&band=best",
        "comment=maybe",
        "from=yesterday",
        "from=2026-02-30",
        "from=2026-03-02&to=2026-03-01",
        "after=not-a-cursor",
    ],
)
async def test_a_malformed_filter_gets_a_400_page(
    console: ConsoleClient, services: Services, query: str
) -> None:
    await sign_in_as(console, services, Role.VIEWER, "Vera Viewer")
    answer = await console.get(f"/console/responses?{query}")
    assert answer.status_code == 400, text_of(answer.text)
    assert "This request is not valid" in text_of(answer.text)


async def test_a_response_links_to_its_follow_up_for_those_who_work_them(
    console: ConsoleClient, second_browser: ConsoleClient, services: Services, widget: Widget
) -> None:
    commented = await widget.answer(2, "Broken export")
    await widget.answer(9, comment=None)
    follow_up = await follow_up_of(commented)

    await sign_in_as(console, services, Role.AGENT, "Ana Agent")
    page = await console.open("/console/responses")
    assert follow_up_links(page) == [str(follow_up.id)]
    assert "Broken export" in await console.open(f"/console/follow-ups/{follow_up.id}")

    # A viewer sees that there is one, without a link it could not open
    await sign_in_as(second_browser, services, Role.VIEWER, "Vera Viewer")
    assert follow_up_links(await second_browser.open("/console/responses")) == []


async def test_live_regions_are_marked_for_the_script(
    console: ConsoleClient, services: Services
) -> None:
    await sign_in_as(console, services, Role.VIEWER, "Vera Viewer")
    assert 'data-live="responses"' in await console.open("/console/responses")
