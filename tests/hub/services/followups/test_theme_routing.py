"""Routing on a theme, in the service: the theme combines with a rule's other fields,
the Reply-To follows the same rule, the themes are read once for many comments, and
a theme that does not exist is refused."""

from __future__ import annotations

import pytest

from hub.clock import FrozenClock
from hub.db import Database
from hub.errors import NotFound
from hub.models.routing import RoutingMatch
from hub.services import Services
from hub.services.followups.routing import RuleChanges, RuleDraft
from tests.support.commands import counting_commands
from tests.support.theme_tags import given_theme
from tests.support.widget import Widget, follow_up_of


@pytest.fixture
async def routed(services: Services, clock: FrozenClock) -> Widget:
    """Billing detractors go to #billing (with the billing team's Reply-To), the rest
    to the default channel."""
    await given_theme(services, clock, "billing")
    await services.routing.set_defaults("CDEFAULT", None)
    await services.routing.create_rule(
        RuleDraft(
            name="Billing detractors",
            channel_id="CBILLING",
            priority=10,
            match=RoutingMatch(theme=" billing ", score_max=6),
            reply_to="billing@example.com",
        )
    )
    return Widget(services)


async def test_the_theme_combines_with_the_rule_s_other_fields(
    services: Services, routed: Widget
) -> None:
    billing_detractor = await routed.answer(2, "Charged twice on one invoice")
    billing_promoter = await routed.answer(10, "The invoice screen is great")
    other_detractor = await routed.answer(2, "Everything is slow")

    assert (await follow_up_of(billing_detractor)).channels == ["CBILLING"]
    assert (await follow_up_of(billing_promoter)).channels == ["CDEFAULT"]
    assert (await follow_up_of(other_detractor)).channels == ["CDEFAULT"]
    assert await services.routing.reply_to_for(billing_detractor) == "billing@example.com"
    assert await services.routing.reply_to_for(other_detractor) is None
    [rule] = await services.routing.rules()
    assert rule.match.theme == "billing"  # stored trimmed


async def test_the_themes_are_read_once_for_many_comments(
    routed: Widget, mongo_uri: str, database: Database
) -> None:
    await routed.answer(2, "First invoice")  # the catalog reads the themes once

    async with counting_commands(mongo_uri, database) as counter:
        for number in range(5):
            await routed.answer(2, f"Invoice number {number}")

    assert "follow_ups" in counter.collections  # routed, seen
    assert [target for target in counter.targets if target[1] == "themes"] == []


async def test_an_unknown_theme_changes_nothing(services: Services, routed: Widget) -> None:
    [rule] = await services.routing.rules()

    with pytest.raises(NotFound) as created:
        await services.routing.create_rule(
            RuleDraft(name="Shipping", channel_id="CSHIP", match=RoutingMatch(theme="shipping"))
        )
    with pytest.raises(NotFound) as changed:
        await services.routing.update_rule(
            str(rule.id), RuleChanges(match=RoutingMatch(theme="shipping"))
        )

    for refused in (created.value, changed.value):
        assert (refused.field, str(refused)) == ("match.theme", "Theme not found.")
    assert [found.match.theme for found in await services.routing.rules()] == ["billing"]
    # Leaving the theme out of a new match clears it
    cleared = await services.routing.update_rule(str(rule.id), RuleChanges(match=RoutingMatch()))
    assert cleared.match.theme is None
