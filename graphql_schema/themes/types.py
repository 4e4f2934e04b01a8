"""Themes, their match rules, the tags comments get, and the re-tag jobs."""

from datetime import datetime
from typing import Self, TypeAlias

import strawberry

from hub.models import theme as model
from hub.models.theme import ThemeChange as ThemeChangeModel
from hub.models.theme import ThemeJobStatus as ThemeJobStatusModel

ThemeJobStatus: TypeAlias = ThemeJobStatusModel
strawberry.enum(
    ThemeJobStatus,
    name="ThemeJobStatus",
    description="QUEUED, RUNNING, then DONE or FAILED; SUPERSEDED when a newer change's "
    "job re-tags every comment again.",
)
ThemeChange: TypeAlias = ThemeChangeModel
strawberry.enum(ThemeChange, name="ThemeChange")


@strawberry.type(
    description="The words and phrases that mean a theme in one language, matched on "
    "their stems; a word ending in * matches every word that begins with it. An "
    "occurrence inside one of the exclusions does not count."
)
class ThemeRule:
    language: str = strawberry.field(description="en, es, nb, sv, da, fi or nl.")
    terms: list[str]
    exclusions: list[str]

    @classmethod
    def from_model(cls, rule: model.ThemeRule) -> Self:
        return cls(language=rule.language, terms=list(rule.terms), exclusions=list(rule.exclusions))


@strawberry.input
class ThemeRuleInput:
    language: str = strawberry.field(description="en, es, nb, sv, da, fi or nl.")
    terms: list[str] = strawberry.field(
        description="Words or phrases, each one to six words; only the end of a word may "
        "be * (no patterns)."
    )
    exclusions: list[str] = strawberry.field(
        default_factory=list, description="Phrases in which a term does not count."
    )

    def to_model(self) -> model.ThemeRule:
        return model.ThemeRule(
            language=self.language, terms=list(self.terms), exclusions=list(self.exclusions)
        )


@strawberry.type(description="A theme an admin defined.")
class Theme:
    document: strawberry.Private[model.Theme]
    key: str
    name: str
    description: str
    version: int = strawberry.field(description="Grows with every change of the rules.")
    created_at: datetime
    updated_at: datetime

    @strawberry.field
    def rules(self) -> list[ThemeRule]:
        return [ThemeRule.from_model(rule) for rule in self.document.rules]

    @classmethod
    def from_document(cls, theme: model.Theme) -> Self:
        return cls(
            document=theme,
            key=theme.key,
            name=theme.name,
            description=theme.description,
            version=theme.version,
            created_at=theme.created_at,
            updated_at=theme.updated_at,
        )


@strawberry.type(
    description="A theme a comment matched, and why: the rule's language, the term as "
    "the rule writes it, and the comment's own words that matched."
)
class ThemeTag:
    theme: str = strawberry.field(description="The theme's key.")
    language: str
    rule: str
    words: list[str]

    @classmethod
    def from_model(cls, tag: model.ThemeTag) -> Self:
        return cls(theme=tag.theme, language=tag.language, rule=tag.rule, words=list(tag.words))


@strawberry.type(
    description="A re-tag of the past comments after a change of the themes. "
    "`processed` grows towards `total` as it runs; once DONE, `total` is the number "
    "of comments it walked."
)
class ThemeJob:
    document: strawberry.Private[model.ThemeJob]
    id: strawberry.ID
    theme: str = strawberry.field(description="The key of the theme whose change started it.")
    change: ThemeChange
    status: ThemeJobStatus
    total: int = strawberry.field(description="The comments to walk, counted when it started.")
    processed: int = strawberry.field(description="The comments walked so far.")
    changed: int = strawberry.field(description="The comments whose tags it changed.")
    error: str | None = strawberry.field(description="What kind of error ended a FAILED job.")
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @classmethod
    def from_document(cls, job: model.ThemeJob) -> Self:
        return cls(
            document=job,
            id=strawberry.ID(str(job.id)),
            theme=job.theme,
            change=job.change,
            status=job.status,
            total=job.total,
            processed=job.processed,
            changed=job.changed,
            error=job.error,
            created_at=job.created_at,
            started_at=job.started_at,
            finished_at=job.finished_at,
        )


@strawberry.type(description="A theme was deleted; the re-tag job removes its tags.")
class ThemeDeleted:
    key: str
