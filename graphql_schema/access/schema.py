"""The console's members: the Slack users and user groups an admin lets in."""

from datetime import datetime
from typing import Annotated, Self

import strawberry

from graphql_schema.context import Context
from graphql_schema.enums import Role
from graphql_schema.errors import NotFoundError, ValidationError, mutation
from graphql_schema.permissions import IsAdmin
from hub.models.console import ConsoleMember as ConsoleMemberDocument


@strawberry.type(
    description="A Slack user (U…, W…) or user group (S…) who may sign in to the console "
    "with Slack, and the role they get there (the strongest of theirs, when several apply)."
)
class ConsoleMember:
    slack_id: str
    role: Role
    added_at: datetime
    added_by: str

    @classmethod
    def from_document(cls, member: ConsoleMemberDocument) -> Self:
        return cls(
            slack_id=member.slack_id,
            role=member.role,
            added_at=member.added_at,
            added_by=member.added_by,
        )


ConsoleMemberResult = Annotated[
    ConsoleMember | ValidationError, strawberry.union("ConsoleMemberResult")
]
RemoveConsoleMemberResult = Annotated[
    ConsoleMember | NotFoundError, strawberry.union("RemoveConsoleMemberResult")
]


def _admin(info: strawberry.Info[Context]) -> str:
    principal = info.context.principal
    assert principal is not None  # the permission class ran first
    return principal.actor_id


@strawberry.type
class AccessQuery:
    @strawberry.field(
        permission_classes=[IsAdmin],
        description="Who may sign in to the console with Slack, by Slack id.",
    )
    async def console_members(self, info: strawberry.Info[Context]) -> list[ConsoleMember]:
        members = await info.context.services.console.members()
        return [ConsoleMember.from_document(member) for member in members]


@strawberry.type
class AccessMutation:
    @mutation(
        permission_classes=[IsAdmin],
        description="Let a Slack user or user group into the console with a role (widget "
        "is not a console role), or change their role; their sessions start again.",
    )
    async def set_console_member(
        self, info: strawberry.Info[Context], slack_id: str, role: Role
    ) -> ConsoleMemberResult:
        member = await info.context.services.console.set_member(slack_id, role, _admin(info))
        return ConsoleMember.from_document(member)

    @mutation(
        permission_classes=[IsAdmin],
        description="Take a Slack user or user group off the console; their sessions end.",
    )
    async def remove_console_member(
        self, info: strawberry.Info[Context], slack_id: str
    ) -> RemoveConsoleMemberResult:
        member = await info.context.services.console.remove_member(slack_id)
        return ConsoleMember.from_document(member)
