"""Defining themes: each change is checked in full before anything is written, a
taken name is refused in any case and under a race, and each change that alters the
rules queues one re-tag job."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from hub.errors import Conflict, DomainError, ErrorCode, NotFound, ValidationFailed
from hub.models.theme import Theme, ThemeChange, ThemeJob, ThemeJobStatus, ThemeRule
from hub.services import Services
from hub.services.themes.catalog import ThemeChanges, ThemeDraft, key_of
from tests.support.themes import BILLING, SPEED


async def counts() -> tuple[int, int]:
    return await Theme.count(), await ThemeJob.count()


async def test_a_theme_is_created_with_a_key_from_its_name_and_a_job(services: Services) -> None:
    theme = await services.themes.create(
        ThemeDraft(
            name="  Billing & Invoices ",
            rules=[ThemeRule(language=" EN", terms=["invoice ", "billing   page"])],
        )
    )

    assert (theme.key, theme.name, theme.version) == ("billing-invoices", "Billing & Invoices", 1)
    assert theme.rules == [ThemeRule(language="en", terms=["invoice", "billing page"])]
    [stored] = await services.themes.themes()
    assert stored.name_folded == "billing & invoices"
    [job] = await services.theme_jobs.jobs()
    assert (job.theme, job.change, job.status) == (
        "billing-invoices",
        ThemeChange.CREATED,
        ThemeJobStatus.QUEUED,
    )
    assert [(c.key, c.version) for c in job.catalog] == [("billing-invoices", 1)]


def test_a_key_is_made_of_the_names_letters_without_accents() -> None:
    assert key_of("Facturación / Pagos") == "facturacion-pagos"
    assert key_of("Ytelse ø") == "ytelse"
    assert key_of("!!!") == ""


BAD_DRAFTS = [
    (replace(BILLING, rules=[]), ErrorCode.RULE_EMPTY, "rules"),
    (replace(BILLING, rules=[ThemeRule(language="en", terms=[" "])]), ErrorCode.RULE_EMPTY, None),
    (
        replace(BILLING, rules=[ThemeRule(language="de", terms=["Rechnung"])]),
        ErrorCode.UNSUPPORTED_LANGUAGE,
        None,
    ),
    (
        replace(BILLING, rules=[ThemeRule(language="en", terms=["(a+)+$"])]),
        ErrorCode.INVALID_INPUT,
        None,
    ),
    (
        replace(BILLING, rules=[ThemeRule(language="en", terms=["inv.*"])]),
        ErrorCode.INVALID_INPUT,
        None,
    ),
    (replace(BILLING, name=" "), ErrorCode.INVALID_INPUT, "name"),
    (replace(BILLING, name="!!!"), ErrorCode.INVALID_INPUT, "key"),
    (replace(BILLING, key="Not A Key"), ErrorCode.INVALID_INPUT, "key"),
]


@pytest.mark.parametrize(("draft", "code", "field"), BAD_DRAFTS)
async def test_bad_input_gets_its_typed_error_and_changes_nothing(
    services: Services, draft: ThemeDraft, code: ErrorCode, field: str | None
) -> None:
    await services.themes.create(SPEED)
    before = await counts()

    with pytest.raises(ValidationFailed) as raised:
        await services.themes.create(draft)

    assert raised.value.code is code
    if field is not None:
        assert raised.value.field == field
    else:
        assert (raised.value.field or "").startswith("rules")
    assert await counts() == before


async def test_a_name_taken_in_another_case_is_refused(services: Services) -> None:
    await services.themes.create(BILLING)
    before = await counts()

    for draft in (
        replace(BILLING, name="BILLING", key="other"),
        replace(BILLING, name="Payments", key="billing"),
    ):
        with pytest.raises(Conflict) as raised:
            await services.themes.create(draft)
        assert raised.value.code is ErrorCode.DUPLICATE_KEY
        assert raised.value.field == ("name" if draft.key == "other" else "key")
    assert await counts() == before


async def test_of_two_creates_of_one_name_at_once_one_wins(services: Services) -> None:
    drafts = [
        replace(BILLING, name=name, key=f"billing-{n}")
        for n, name in enumerate(["Billing", "billing"] * 3)
    ]

    results = await asyncio.gather(
        *(services.themes.create(d) for d in drafts), return_exceptions=True
    )

    created = [r for r in results if isinstance(r, Theme)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(created) == 1 and len(refused) == 5
    assert all(e.code is ErrorCode.DUPLICATE_KEY and e.field == "name" for e in refused)
    assert await counts() == (1, 1)


async def test_an_update_of_the_rules_bumps_the_version_and_queues_a_job(
    services: Services,
) -> None:
    await services.themes.create(BILLING)
    rules = [ThemeRule(language="en", terms=["invoice", "receipt"])]

    updated = await services.themes.update(
        "billing", ThemeChanges(rules=rules, description="Money.")
    )

    assert (updated.version, updated.rules, updated.description) == (2, rules, "Money.")
    jobs = await services.theme_jobs.jobs()
    assert [(j.change, j.status) for j in jobs] == [
        (ThemeChange.UPDATED, ThemeJobStatus.QUEUED),
        (ThemeChange.CREATED, ThemeJobStatus.SUPERSEDED),
    ]
    assert [(c.key, c.version) for c in jobs[0].catalog] == [("billing", 2)]


async def test_the_same_update_again_changes_nothing(services: Services) -> None:
    theme = await services.themes.create(BILLING)
    before = await counts()

    again = await services.themes.update(
        "billing", ThemeChanges(name="Billing", rules=BILLING.rules)
    )

    assert (again.version, again.updated_at) == (theme.version, theme.updated_at)
    assert await counts() == before


async def test_a_rename_needs_a_free_name_and_queues_no_job(services: Services) -> None:
    await services.themes.create(BILLING)
    await services.themes.create(SPEED)
    before = await counts()

    with pytest.raises(Conflict) as raised:
        await services.themes.update("speed", ThemeChanges(name="  billing"))
    assert (raised.value.code, raised.value.field) == (ErrorCode.DUPLICATE_KEY, "name")
    renamed = await services.themes.update("speed", ThemeChanges(name="Performance"))
    recased = await services.themes.update("speed", ThemeChanges(name="PERFORMANCE"))

    assert (renamed.name, renamed.version, recased.name) == ("Performance", 1, "PERFORMANCE")
    assert await counts() == before


async def test_bad_updates_and_unknown_keys_change_nothing(services: Services) -> None:
    await services.themes.create(BILLING)
    before = await counts()
    stored = await services.themes.themes()

    with pytest.raises(ValidationFailed) as empty:
        await services.themes.update(
            "billing", ThemeChanges(rules=[ThemeRule(language="en", terms=[])])
        )
    with pytest.raises(ValidationFailed) as language:
        await services.themes.update(
            "billing", ThemeChanges(rules=[ThemeRule(language="xx", terms=["a"])])
        )
    with pytest.raises(NotFound) as unknown:
        await services.themes.update("nothing", ThemeChanges(description="x"))
    with pytest.raises(NotFound) as deleted:
        await services.themes.delete("nothing")

    assert empty.value.code is ErrorCode.RULE_EMPTY
    assert language.value.code is ErrorCode.UNSUPPORTED_LANGUAGE
    assert (unknown.value.field, deleted.value.field) == ("key", "key")
    assert await counts() == before
    assert await services.themes.themes() == stored


async def test_a_deleted_theme_is_gone_and_its_name_free_again(services: Services) -> None:
    await services.themes.create(BILLING)

    removed = await services.themes.delete("billing")
    again = await services.themes.create(BILLING)

    assert removed.key == again.key == "billing"
    assert again.id != removed.id
    jobs = await services.theme_jobs.jobs()
    assert [j.change for j in jobs] == [
        ThemeChange.CREATED,
        ThemeChange.DELETED,
        ThemeChange.CREATED,
    ]
    assert [j.status for j in jobs].count(ThemeJobStatus.QUEUED) == 1
