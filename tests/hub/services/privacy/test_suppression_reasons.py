"""A person may be suppressed for several reasons at once (restricted, and objected
meanwhile): each reason is its own entry, so ending one leaves the others."""

from __future__ import annotations

from hub.db import Database, init_models
from hub.models.suppression import Suppression, SuppressionReason
from hub.services import Services


async def _reasons(services: Services, user_id: str) -> list[str]:
    hashes = services.suppressions.hmacs(user_id=user_id)
    found = Suppression.get_pymongo_collection().find({"identity_hmac": {"$in": hashes}})
    return sorted([str(raw["reason"]) async for raw in found])


async def test_each_reason_is_kept_and_suppressing_twice_adds_nothing(
    services: Services,
) -> None:
    suppressions = services.suppressions
    await suppressions.suppress(SuppressionReason.RESTRICTION, user_id="user-1")
    await suppressions.suppress(SuppressionReason.OBJECTION, user_id="user-1")
    await suppressions.suppress(SuppressionReason.OBJECTION, user_id="user-1")

    assert await _reasons(services, "user-1") == ["OBJECTION", "RESTRICTION"]
    assert await suppressions.is_objecting(suppressions.hmacs(user_id="user-1"))
    assert not await suppressions.is_objecting(suppressions.hmacs(user_id="user-2"))


async def test_a_restriction_alone_is_not_an_objection(services: Services) -> None:
    suppressions = services.suppressions
    await suppressions.suppress(SuppressionReason.RESTRICTION, email="ana@example.org")

    assert await suppressions.is_suppressed(email="ana@example.org")
    assert not await suppressions.is_objecting(suppressions.hmacs(email="ana@example.org"))


async def test_a_database_with_the_old_one_reason_index_is_upgraded_at_start(
    services: Services, database: Database
) -> None:
    # Given a database created before a person could have several reasons
    collection = database["suppressions"]
    await collection.drop_indexes()
    await collection.create_index([("identity_hmac", 1)], unique=True, name="identity_unique")
    await services.suppressions.suppress(SuppressionReason.RESTRICTION, user_id="user-1")

    # When the hub starts on it (twice: the upgrade runs once)
    await init_models(database)
    await init_models(database)

    # Then the old index is gone and a second reason can be kept
    indexes = await collection.index_information()
    assert "identity_unique" not in indexes
    assert indexes["identity_reason_unique"]["key"] == [("identity_hmac", 1), ("reason", 1)]
    assert indexes["identity_reason_unique"]["unique"]
    await services.suppressions.suppress(SuppressionReason.OBJECTION, user_id="user-1")
    assert await _reasons(services, "user-1") == ["OBJECTION", "RESTRICTION"]
