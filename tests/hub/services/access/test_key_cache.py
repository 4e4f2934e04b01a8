"""The caches of keys and surveys answer from one look-up: an entry that expires
between a membership test and a read must not turn a call into an internal error."""

from __future__ import annotations

import itertools

from cachetools import TTLCache

from hub.models.common import Role
from hub.services import Services
from tests.factories import make_survey


def _stepping_cache(ttl: float, step: float) -> TTLCache:  # type: ignore[type-arg]
    """A cache whose clock moves `step` seconds each time it is read: an entry is
    alive at one look-up and expired at the next when `step` < `ttl` < 2 `step`."""
    ticks = itertools.count(step=step)
    return TTLCache(maxsize=16, ttl=ttl, timer=lambda: next(ticks))


async def test_a_key_expiring_between_two_looks_is_read_again(services: Services) -> None:
    _, token = await services.keys.create(Role.VIEWER, "expiring")
    key_id = (await services.keys.authenticate(token)).key_id  # type: ignore[union-attr]
    services.keys._cache = _stepping_cache(ttl=5.0, step=3.0)

    for _ in range(6):  # cached, then expired at varying points of a look-up
        principal = await services.keys.authenticate(token)
        assert principal is not None and principal.role is Role.VIEWER
    for _ in range(6):
        assert await services.keys.by_id(key_id) is not None
    for _ in range(6):
        assert await services.keys.authenticate("fh_unknown") is None


async def test_a_survey_expiring_between_two_looks_is_read_again(services: Services) -> None:
    await make_survey(services, key="nps-main")
    services.surveys._cache = _stepping_cache(ttl=5.0, step=3.0)

    for _ in range(6):
        survey = await services.surveys.find("nps-main")
        assert survey is not None and survey.key == "nps-main"
