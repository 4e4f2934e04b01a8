"""A response's tags as Slack and routing read them: the stored ones once the tagger
wrote them, else computed now with the same matcher and themes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hub.clock import FrozenClock
from hub.models.common import Channel, Customer, Metric, UserIdentity
from hub.models.response import Response
from hub.models.theme import ThemeTag
from hub.services import Services
from hub.services.themes.tags_for import tags_for, theme_keys
from tests.support.theme_tags import given_theme

STORED = ThemeTag(theme="pricing", language="en", rule="price", words=["price"])


def _response(comment: str | None, locale: str = "en", **fields: object) -> Response:
    moment = datetime(2026, 3, 1, tzinfo=UTC)
    response: Response = Response.model_validate(
        {
            "survey_key": "nps-main",
            "metric": Metric.NPS,
            "display_id": "65f000000000000000000001",
            "score": 3,
            "comment": comment,
            "commented_at": moment,
            "product": "Accounting",
            "customer": Customer(),
            "user": UserIdentity(id="u-1"),
            "channel": Channel.IN_APP_WEB,
            "locale": locale,
            "answered_at": moment,
            **fields,
        }
    )
    return response


@pytest.fixture
async def billing(services: Services, clock: FrozenClock) -> Services:
    await given_theme(services, clock, "billing")
    return services


async def test_computed_now_in_the_comment_s_language(billing: Services) -> None:
    tags = await tags_for(_response("Dos facturas este mes", "es-MX"), billing.theme_catalog)

    assert tags == [ThemeTag(theme="billing", language="es", rule="factura", words=["facturas"])]
    # Only the rules of the comment's language apply
    english = await tags_for(_response("Dos facturas este mes", "en"), billing.theme_catalog)
    assert english == []


async def test_stored_tags_win_unless_they_wait_to_be_recomputed(billing: Services) -> None:
    stored = _response("The invoice is wrong", themes=[STORED])
    pending = _response("The invoice is wrong", themes=[STORED], themes_pending=True)

    assert await tags_for(stored, billing.theme_catalog) == [STORED]
    assert theme_keys(await tags_for(pending, billing.theme_catalog)) == ["billing"]


async def test_no_comment_no_tags(billing: Services) -> None:
    assert await tags_for(_response(None, themes=[STORED]), billing.theme_catalog) == []
    assert await tags_for(_response(""), billing.theme_catalog) == []
