"""Themes: admins define them; every reader sees them and the re-tag jobs' progress."""

from typing import Annotated

import strawberry

from graphql_schema.context import Context
from graphql_schema.errors import ConflictError, NotFoundError, ValidationError, mutation
from graphql_schema.permissions import IsAdmin, IsReader
from graphql_schema.themes.types import Theme, ThemeDeleted, ThemeJob, ThemeRuleInput
from hub.services.themes.catalog import ThemeChanges, ThemeDraft

CreateThemeResult = Annotated[
    Theme | ValidationError | ConflictError, strawberry.union("CreateThemeResult")
]
UpdateThemeResult = Annotated[
    Theme | ValidationError | NotFoundError | ConflictError,
    strawberry.union("UpdateThemeResult"),
]
DeleteThemeResult = Annotated[ThemeDeleted | NotFoundError, strawberry.union("DeleteThemeResult")]


@strawberry.input
class CreateThemeInput:
    name: str
    rules: list[ThemeRuleInput]
    description: str = ""
    key: str | None = strawberry.field(
        default=None,
        description="Made from the name when not given (Billing & invoices: billing-invoices).",
    )


@strawberry.input(description="What to change; a missing field stays as it is.")
class UpdateThemeInput:
    name: str | None = None
    description: str | None = None
    rules: list[ThemeRuleInput] | None = strawberry.field(
        default=None, description="The theme's rules, all of them: they replace the old ones."
    )


@strawberry.type
class ThemeQuery:
    @strawberry.field(permission_classes=[IsReader], description="The themes, by key.")
    async def themes(self, info: strawberry.Info[Context]) -> list[Theme]:
        return [Theme.from_document(t) for t in await info.context.services.themes.themes()]

    @strawberry.field(
        permission_classes=[IsReader],
        description="The re-tags of past comments after changes of the themes, newest "
        "first, at most `first` (100).",
    )
    async def theme_jobs(self, info: strawberry.Info[Context], first: int = 10) -> list[ThemeJob]:
        jobs = await info.context.services.theme_jobs.jobs(first)
        return [ThemeJob.from_document(job) for job in jobs]


@strawberry.type
class ThemeMutation:
    @mutation(
        permission_classes=[IsAdmin],
        description="Define a theme. Past comments are tagged with it in the background "
        "(see `themeJobs`), new ones within seconds.",
    )
    async def create_theme(
        self, info: strawberry.Info[Context], input: CreateThemeInput
    ) -> CreateThemeResult:
        theme = await info.context.services.themes.create(
            ThemeDraft(
                name=input.name,
                rules=[rule.to_model() for rule in input.rules],
                description=input.description,
                key=input.key,
            )
        )
        return Theme.from_document(theme)

    @mutation(
        permission_classes=[IsAdmin],
        description="Change a theme. A change of its rules re-tags past comments in the "
        "background (see `themeJobs`).",
    )
    async def update_theme(
        self, info: strawberry.Info[Context], key: str, input: UpdateThemeInput
    ) -> UpdateThemeResult:
        rules = [rule.to_model() for rule in input.rules] if input.rules is not None else None
        theme = await info.context.services.themes.update(
            key, ThemeChanges(name=input.name, description=input.description, rules=rules)
        )
        return Theme.from_document(theme)

    @mutation(
        permission_classes=[IsAdmin],
        description="Delete a theme; its tags are taken off past comments in the background.",
    )
    async def delete_theme(self, info: strawberry.Info[Context], key: str) -> DeleteThemeResult:
        theme = await info.context.services.themes.delete(key)
        return ThemeDeleted(key=theme.key)
